# ipl2: /sbin/init of the root file system boot 1 put on the ECKD.  The
# kernel was IPLed from the ECKD by QEMU's s390-ccw firmware (no -kernel),
# its initramfs' /init mounted root=/dev/dasdX1 and switch_root'ed here:
# this is PID 1 on the DASD root.  It checks that, the IPL device, the
# file boot 1 wrote, writes one the host finds in the image, powers off.
export PATH=/bin:/sbin
mount -t tmpfs tmpfs /tmp
echo "E2E-ROOT init on the DASD root at $(cut -d' ' -f1 /proc/uptime)s"
val ipl.init_uptime "$(cut -d' ' -f1 /proc/uptime)"
val ipl.type "$(cat /sys/firmware/ipl/ipl_type 2>/dev/null)"
val ipl.device "$(cat /sys/firmware/ipl/device 2>/dev/null)"
grep -q zvfio_ipl /proc/cmdline && ok "ipl cmdline" ||
    bad "ipl cmdline: $(cat /proc/cmdline)"
[ "$(cat /sys/firmware/ipl/ipl_type 2>/dev/null)" = ccw ] && ok "ipl type ccw" ||
    bad "ipl type: $(cat /sys/firmware/ipl/ipl_type 2>/dev/null)"
[ $$ = 1 ] && ok "root init pid 1" || bad "root init: pid $$, not 1"
root=
for a in $(cat /proc/cmdline); do
    case $a in root=*) root=${a#root=} ;; esac
done
val ipl.root "$root"
grep "^$root / " /proc/mounts
grep -q "^$root / ext4 rw" /proc/mounts && ok "root mounted" ||
    bad "root mounted: $root is not / in $(tr '\n' ' ' </proc/mounts)"
# / is that partition's file system, not the initramfs (rootfs is gone)
[ "$(stat -f -c %t /)" = ef53 ] && ! [ -e /init ] && ok "root fs ext" ||
    bad "root fs: type $(stat -f -c %t /), /init $(ls /init 2>&1)"
[ "$(cat "$(ccw $ECKD)/online")" = 1 ] && ok "root device online $ECKD" ||
    bad "root device $ECKD not online"
[ "/dev/$(disk_of $ECKD)1" = "$root" ] && ok "root is $ECKD" ||
    bad "root $root is not the partition of $ECKD ($(disk_of $ECKD))"
cat /zvfio-ipl.txt
val ipl.file "$(md5 /zvfio-ipl.txt)"
val ipl.image "$(md5 /boot/image)"
val ipl.init "$(md5 /sbin/init)"
echo "zvfio root $(cut -d' ' -f1 /proc/uptime)" >/zvfio-root.txt
val ipl.rootfile "$(md5 /zvfio-root.txt)"
sync
mount -o remount,ro / && ok "remount ro" || bad "remount ro"
echo "E2E-END ipl2"
echo "ZVFIO-KIT-END rc=0"
poweroff -f
