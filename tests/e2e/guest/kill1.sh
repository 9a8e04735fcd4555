# Kill, boot 1: ext2 on both partitions, one file written and synced (its
# checksum reported), then writes without end until the host SIGKILLs
# QEMU.
echo "E2E-BEGIN kill1"
set_online $FBA
set_online $ECKD
for dev in $FBA $ECKD; do
    n=fba
    [ $dev = $ECKD ] && n=eckd
    p=$(part_of $dev) || { bad "partition $n: not found"; continue; }
    val "$n.part_kib" "$(size_kib "$p")"
    check "mke2fs $n" mke2fs -b 4096 /dev/$p
    mkdir -p /mnt/$n
    check "mount $n" mount -t ext2 /dev/$p /mnt/$n
    dd if=/dev/urandom of=/mnt/$n/synced.bin bs=1024 count=512 2>/dev/null
    sync
    val "$n.synced" "$(md5 /mnt/$n/synced.bin)"
done
echo "E2E-READY kill"
i=0
while :; do
    i=$((i + 1))
    for n in fba eckd; do
        dd if=/dev/urandom of=/mnt/$n/busy.$((i % 4)) bs=4096 count=64 2>/dev/null
        rm -f /mnt/$n/busy.$(((i + 2) % 4))
    done
    [ $((i % 3)) = 0 ] && sync &
done
