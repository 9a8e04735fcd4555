# ipl1: prepare the ECKD the way an installer does, with Debian's
# s390-tools (the kit's optional archive): dasdfmt (quick, full, each
# checked), fdasd -a, mke2fs, the kernel + initramfs copied in (/payload,
# from the host), a minimal root (static busybox, /sbin/init from the
# host), zipl with its target on that file system and root=/dev/dasdX1,
# a file the IPLed boot checks; lsdasd, dasdview and lscss describe the
# volume.
export PATH=/sbin:/usr/bin:/bin
sensed $ECKD 3390 || exit 1
set_online $ECKD || exit 1
d=$(disk_of $ECKD)
# the s390-tools open /dev/block/MAJ:MIN (udev's links; none here)
blocklinks() {
    mkdir -p /dev/block
    for b in /sys/class/block/*; do
        ln -sf "../$(basename "$b")" "/dev/block/$(cat "$b/dev")"
    done
}
blocklinks
echo "E2E-VAL eckd.disk=$d"
val eckd.blocks_before "$(cat /sys/class/block/$d/size)"
echo 1 >/proc/sys/kernel/printk_ratelimit 2>/dev/null
# dasdfmt: quick (-M quick: the label tracks and the first and last
# tracks rewritten, the rest checked) on the volume zvfio-img made, then
# a full format, each followed by dasdfmt's complete check (Read Track)
fmt() { # WHAT ARGS...
    w=$1
    shift
    t0=$(cut -d' ' -f1 /proc/uptime)
    if dasdfmt -b 4096 -d cdl -y "$@" /dev/$d >/tmp/fmt.out 2>&1; then
        ok "dasdfmt $w"
    else
        bad "dasdfmt $w: $(tail -5 /tmp/fmt.out | tr '\n' ' ')"
    fi
    tr '\r' '\n' </tmp/fmt.out | grep -v '^cyl' | tail -4
    t1=$(cut -d' ' -f1 /proc/uptime)
    val "dasdfmt.$w.seconds" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}
fmt quick -M quick
fmt check-quick --check
fmt full -M full
fmt check-full --check
blocklinks
check "fdasd" fdasd -a /dev/$d
cat /tmp/check.out | tail -5
p=$(part_of $ECKD) || bad "partition after fdasd"
blocklinks
check "mke2fs" mke2fs -b 4096 /dev/$p
mkdir -p /mnt/d
check "mount" mount -t ext2 /dev/$p /mnt/d
mkdir -p /mnt/d/boot
echo "zvfio ipl $(date +%s)" >/mnt/d/zvfio-ipl.txt
val ipl.file "$(md5 /mnt/d/zvfio-ipl.txt)"
# the kernel and the initramfs the IPL boots (the host put them in
# /payload), and zipl's boot map on the same file system
check "copy kernel" cp /payload/image /mnt/d/boot/image
check "copy initrd" cp /payload/initrd.img /mnt/d/boot/initrd.img
val ipl.image "$(md5 /mnt/d/boot/image)"
# the root file system boot 2 switches to: this initramfs' static
# busybox with its applet links, /sbin/init the host made (/payload/init)
mkdir -p /mnt/d/bin /mnt/d/sbin /mnt/d/etc /mnt/d/dev /mnt/d/proc \
    /mnt/d/sys /mnt/d/tmp /mnt/d/mnt
check "copy busybox" cp /bin/busybox /mnt/d/bin/busybox
for a in $(busybox --list); do
    [ "$a" = busybox ] || ln -sf busybox "/mnt/d/bin/$a"
done
check "copy init" cp /payload/init /mnt/d/sbin/init
chmod 755 /mnt/d/sbin/init
val ipl.init "$(md5 /mnt/d/sbin/init)"
if zipl -V -t /mnt/d/boot -i /mnt/d/boot/image -r /mnt/d/boot/initrd.img \
    -P "console=ttysclp0 quiet zvfio_ipl root=/dev/$p" >/tmp/zipl.out 2>&1; then
    ok "zipl"
else
    bad "zipl: $(tail -3 /tmp/zipl.out | tr '\n' ' ')"
fi
cat /tmp/zipl.out
ls -l /mnt/d/boot
lsdasd >/tmp/lsdasd.out 2>&1; cat /tmp/lsdasd.out
grep -q "^$ECKD  *active  *$d .*ECKD  *4096 " /tmp/lsdasd.out && ok "lsdasd" ||
    bad "lsdasd: $(tr '\n' ' ' </tmp/lsdasd.out)"
dasdview -i -x /dev/$d >/tmp/dasdview.out 2>&1; cat /tmp/dasdview.out
grep -q '^device type  *: hex 3390' /tmp/dasdview.out &&
    grep -q '^blocksize  *: hex 1000' /tmp/dasdview.out &&
    grep -q 'CDL formatted' /tmp/dasdview.out &&
    ok "dasdview" || bad "dasdview: $(head -20 /tmp/dasdview.out | tr '\n' ' ')"
dasdview -l /dev/$d >/tmp/dasdview.l 2>&1
grep -q "ebcdic '0X0201'" /tmp/dasdview.l && ok "dasdview volser" ||
    bad "dasdview -l: $(head -20 /tmp/dasdview.l | tr '\n' ' ')"
lscss >/tmp/lscss.out 2>&1; cat /tmp/lscss.out
grep -q "^$ECKD .* 3390/02 3990/ec yes" /tmp/lscss.out && ok "lscss" ||
    bad "lscss: $(tr '\n' ' ' </tmp/lscss.out)"
lschp 2>&1 | head
fdasd -p /dev/$d 2>&1 | tail -3
check "umount" umount /mnt/d
sync
echo "E2E-END ipl1"
