# Faults: O_DIRECT write + read-back rounds on both DASDs while the host
# makes them fail: phase "eq", equipment checks on a share of the
# commands (Linux's error recovery retries them); phase "lat", the ECKD's
# latency past the request expiry (set to 2 s here), so the DASD driver
# ends the request (clear through vfio-ccw's async region) and retries
# until the latency is back.  Every round's data must compare equal.
echo "E2E-BEGIN faults"
set_online $FBA
set_online $ECKD
pf=$(part_of $FBA) || bad "partition fba: not found"
pe=$(part_of $ECKD) || bad "partition eckd: not found"
val eckd.expires.default "$(cat $(ccw $ECKD)/expires 2>/dev/null)"
echo 2 >$(ccw $ECKD)/expires || bad "faults: cannot set expires"
for d in $FBA $ECKD; do echo 1 >$(ccw $d)/erplog; done
dd if=/dev/urandom of=/tmp/pat bs=1024 count=256 2>/dev/null
want=$(md5 /tmp/pat)
phase() { # NAME SECONDS
    t=$EPOCHREALTIME
    end=$((${t%.*} + $2))
    rounds=0 badr=0
    echo "E2E-READY $1"
    while :; do
        t=$EPOCHREALTIME
        [ ${t%.*} -ge $end ] && break
        off=$((rounds % 8 * 64))
        for p in $pf $pe; do
            dd if=/tmp/pat of=/dev/$p bs=4096 seek=$off count=64 oflag=direct \
                conv=notrunc 2>/dev/null || echo "write $p failed"
            dd if=/dev/$p of=/tmp/back bs=4096 skip=$off count=64 iflag=direct \
                2>/dev/null || echo "read $p failed"
            [ "$(md5 /tmp/back)" = "$want" ] || badr=$((badr + 1))
        done
        rounds=$((rounds + 1))
    done
    val "$1.rounds" "$rounds"
    [ "$badr" = 0 ] && [ "$rounds" -gt 0 ] && ok "$1 data equal in $rounds rounds" ||
        bad "$1: $badr of $rounds rounds read back different data"
    echo "E2E-DONE $1"
}
phase eq 8
phase lat 12
dmesg | grep -iE 'dasd|cqr' | grep -vE 'New |VOL1|nonl|KB/block|has become operational' | tail -12
echo "E2E-END faults"
