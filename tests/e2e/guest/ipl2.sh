# ipl2: the kernel IPLed from the ECKD by QEMU's s390-ccw firmware (no
# -kernel): the IPL device is the ECKD, the zipl parameters arrived, and
# the file boot 1 wrote is on the partition.
val ipl.type "$(cat /sys/firmware/ipl/ipl_type 2>/dev/null)"
val ipl.device "$(cat /sys/firmware/ipl/device 2>/dev/null)"
grep -q zvfio_ipl /proc/cmdline && ok "ipl cmdline" ||
    bad "ipl cmdline: $(cat /proc/cmdline)"
[ "$(cat /sys/firmware/ipl/ipl_type 2>/dev/null)" = ccw ] && ok "ipl type ccw" ||
    bad "ipl type: $(cat /sys/firmware/ipl/ipl_type 2>/dev/null)"
val ipl.init_uptime "$(cut -d' ' -f1 /proc/uptime)"
sensed $ECKD 3390 || exit 1
set_online $ECKD || exit 1
p=$(part_of $ECKD) || { bad "ipl partition"; exit 1; }
mkdir -p /mnt/d
check "ipl mount" mount -t ext2 -o ro /dev/$p /mnt/d
cat /mnt/d/zvfio-ipl.txt
val ipl.file "$(md5 /mnt/d/zvfio-ipl.txt)"
val ipl.image "$(md5 /mnt/d/boot/image)"
umount /mnt/d
echo "E2E-END ipl2"
