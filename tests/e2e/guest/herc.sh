# herc: a volume Hercules' dasdinit -linux made (CDL, 4 KiB blocks, an
# empty VTOC) brought online through zvfio: Linux takes its label and
# geometry, fdasd -a partitions it, ext2 is made, mounted and written.
export PATH=/sbin:/usr/bin:/bin
sensed $ECKD 3390 || exit 1
set_online $ECKD || exit 1
d=$(disk_of $ECKD)
mkdir -p /dev/block
for b in /sys/class/block/*; do
    ln -sf "../$(basename "$b")" "/dev/block/$(cat "$b/dev")"
done
val herc.blocksize "$(cat /sys/class/block/$d/queue/logical_block_size)"
dasdview -i -x /dev/$d 2>&1 | grep -q 'CDL formatted' && ok "herc cdl" ||
    bad "herc cdl: $(dasdview -i -x /dev/$d 2>&1 | tr '\n' ' ')"
dasdview -l /dev/$d 2>&1 | grep -q "ebcdic 'LNX201'" && ok "herc volser" ||
    bad "herc volser: $(dasdview -l /dev/$d 2>&1 | head -12 | tr '\n' ' ')"
check "herc fdasd" fdasd -a -k /dev/$d
p=$(part_of $ECKD) || bad "herc partition"
check "herc mke2fs" mke2fs -b 4096 /dev/$p
mkdir -p /mnt/h
check "herc mount" mount -t ext2 /dev/$p /mnt/h
dd if=/dev/urandom of=/mnt/h/r.bin bs=4096 count=64 2>/dev/null
val herc.file "$(md5 /mnt/h/r.bin)"
check "herc umount" umount /mnt/h
sync
echo "E2E-END herc"
