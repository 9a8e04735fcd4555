# Paths: the ECKD does O_DIRECT write + read-back rounds (md5 compared)
# for DURATION seconds while the host varies CHPID 0.40 off, then 0.41
# (no path left), then both on again.  The guest samples its subchannel's
# pimpampom each round and reports the distinct values it saw; every
# round's data must compare equal.
echo "E2E-BEGIN paths"
DURATION=${DURATION:-14}
set_online $FBA
set_online $ECKD
p=$(part_of $ECKD) || bad "partition eckd: not found"
sch=$(readlink -f "$(ccw $ECKD)/..")
val eckd.sch "$(basename $sch)"
val eckd.pimpampom.start "$(cat $sch/pimpampom)"
dd if=/dev/urandom of=/tmp/pat bs=1024 count=1024 2>/dev/null
want=$(md5 /tmp/pat)
seen=" $(cat $sch/pimpampom | tr ' ' '-') "
t=$EPOCHREALTIME
end=$((${t%.*} + DURATION))
rounds=0 bad_rounds=0
echo "E2E-READY paths"
while :; do
    t=$EPOCHREALTIME
    [ ${t%.*} -ge $end ] && break
    off=$((rounds % 8 * 256))
    dd if=/tmp/pat of=/dev/$p bs=4096 seek=$off count=256 oflag=direct \
        conv=notrunc 2>/tmp/err || echo "write failed: $(cat /tmp/err)"
    dd if=/dev/$p of=/tmp/back bs=4096 skip=$off count=256 iflag=direct \
        2>/tmp/err || echo "read failed: $(cat /tmp/err)"
    [ "$(md5 /tmp/back)" = "$want" ] || bad_rounds=$((bad_rounds + 1))
    rounds=$((rounds + 1))
    m=$(cat $sch/pimpampom | tr ' ' '-')
    case "$seen" in *" $m "*) ;; *) seen="$seen$m "; echo "pimpampom $m at round $rounds" ;; esac
done
val paths.rounds "$rounds"
val paths.bad_rounds "$bad_rounds"
val paths.seen "$(echo $seen | tr ' ' ',')"
val eckd.pimpampom.end "$(cat $sch/pimpampom)"
[ "$bad_rounds" = 0 ] && [ "$rounds" -gt 0 ] && ok "paths data equal in $rounds rounds" ||
    bad "paths: $bad_rounds of $rounds rounds read back different data"
dmesg | grep -iE 'path|chp|0\.0\.0201' | tail -20
echo "E2E-END paths"
