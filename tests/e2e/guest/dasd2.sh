# Boot 2: the same disks online again, partitions found, the ext2 file
# systems mount and the files read back (the host compares the checksums
# with boot 1's).
echo "E2E-BEGIN dasd2"
set_online $FBA
set_online $ECKD
for dev in $FBA $ECKD; do
    n=fba
    [ $dev = $ECKD ] && n=eckd
    p=$(part_of $dev) || { bad "partition $n: not found on boot 2"; continue; }
    ok "partition $n $p"
    mkdir -p /mnt/$n
    check "mount $n" mount -t ext2 -o ro /dev/$p /mnt/$n
    for f in random.bin hello.txt dir/seq.txt; do
        val "$n.file.$f" "$(md5 /mnt/$n/$f)"
    done
    if [ $n = eckd ]; then
        # run the program boot 1 stored: its pages come into guest memory
        # by the DASD's DMA on this boot (no page cache yet), and TCG must
        # not execute stale translations of those pages
        out=$(/mnt/$n/busybox echo "exec from the DASD" 2>&1)
        [ "$out" = "exec from the DASD" ] && ok "exec eckd" ||
            bad "exec eckd: '$out'"
        [ "$(md5 /mnt/$n/busybox)" = "$(md5 /bin/busybox)" ] && ok "exec eckd md5" ||
            bad "exec eckd: the program differs from /bin/busybox"
    fi
    check "umount $n" umount /mnt/$n
    start=$(((($(size_kib "$p") - 1024)) / 4 * 4))
    dd if=/dev/$p of=/tmp/back bs=4096 skip=$((start / 4)) count=256 \
        iflag=direct 2>/dev/null
    val "$n.direct_md5" "$(md5 /tmp/back)"
done
echo "E2E-END dasd2"
