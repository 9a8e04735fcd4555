# Boot 1: cio senses both DASDs, they go online, the partitions are
# found; O_DIRECT write + read back of 1 MiB at the end of each partition;
# ext2 made on the rest, mounted, files written, synced, unmounted.
echo "E2E-BEGIN dasd1"
sensed $FBA 9336
sensed $ECKD 3390
set_online $FBA
set_online $ECKD
grep -E 'dasd' /proc/partitions
for dev in $FBA $ECKD; do
    n=fba
    [ $dev = $ECKD ] && n=eckd
    p=$(part_of $dev) || { bad "partition $n: no ${n} partition"; continue; }
    ok "partition $n $p"
    kib=$(size_kib "$p")
    # the last whole MiB, in 4 KiB units, is the O_DIRECT area; ext2 gets
    # everything before it
    start=$(((kib - 1024) / 4 * 4))
    val "$n.part_kib" "$kib"
    val "$n.direct_kib" "$start"
    dd if=/dev/urandom of=/tmp/pat bs=1024 count=1024 2>/dev/null
    want=$(md5 /tmp/pat)
    check "odirect-write $n" dd if=/tmp/pat of=/dev/$p bs=4096 seek=$((start / 4)) \
        count=256 oflag=direct conv=notrunc,fsync
    check "odirect-read $n" dd if=/dev/$p of=/tmp/back bs=4096 skip=$((start / 4)) \
        count=256 iflag=direct
    got=$(md5 /tmp/back)
    [ "$got" = "$want" ] && ok "odirect-md5 $n" || bad "odirect-md5 $n: $got != $want"
    val "$n.direct_md5" "$want"
    check "mke2fs $n" mke2fs -b 4096 /dev/$p $start
    mkdir -p /mnt/$n
    check "mount $n" mount -t ext2 /dev/$p /mnt/$n
    dd if=/dev/urandom of=/mnt/$n/random.bin bs=1024 count=700 2>/dev/null
    echo "hello from the $n DASD, $(date)" >/mnt/$n/hello.txt
    mkdir -p /mnt/$n/dir && seq 1 5000 >/mnt/$n/dir/seq.txt
    # a program to run from the DASD on boot 2 (ECKD: room for it)
    [ $n = eckd ] && cp /bin/busybox /mnt/$n/busybox
    sync
    for f in random.bin hello.txt dir/seq.txt; do
        val "$n.file.$f" "$(md5 /mnt/$n/$f)"
    done
    check "umount $n" umount /mnt/$n
done
echo "E2E-END dasd1"
