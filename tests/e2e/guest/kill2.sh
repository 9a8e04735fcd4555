# Kill, boot 2: after QEMU was killed mid-write, both file systems mount
# (the host ran e2fsck on copies and repaired the images if needed), the
# synced file reads back equal and every file reads without error.
echo "E2E-BEGIN kill2"
set_online $FBA
set_online $ECKD
for dev in $FBA $ECKD; do
    n=fba
    [ $dev = $ECKD ] && n=eckd
    p=$(part_of $dev) || { bad "partition $n: not found"; continue; }
    mkdir -p /mnt/$n
    check "mount $n" mount -t ext2 /dev/$p /mnt/$n
    val "$n.synced" "$(md5 /mnt/$n/synced.bin)"
    check "read all $n" sh -c "find /mnt/$n -type f -exec cat {} + >/dev/null"
    check "umount $n" umount /mnt/$n
done
echo "E2E-END kill2"
