# Remove: both DASDs online; the host's FBA vanishes (device loss) while
# the guest does I/O on the ECKD.  vfio-ccw raises the request IRQ, QEMU
# unplugs the device, the guest's cio gets the subchannel CRW and its
# online DASD goes to "no device"/"no path" (Linux keeps an online device
# disconnected); set offline, it is unregistered.  The ECKD goes on.
# Then the host removes the ECKD's mdev (zvfioctl mdev undefine --force):
# the request IRQ again, QEMU unplugs it, the guest loses it the same way.
# No I/O on it then: Linux keeps requests to a disconnected DASD queued
# until it comes back, so a dd in flight would block (and keep the device
# busy, which refuses the offline).
echo "E2E-BEGIN remove"
DURATION=${DURATION:-10}
set_online $FBA
set_online $ECKD
pe=$(part_of $ECKD) || bad "partition eckd: not found"
dd if=/dev/urandom of=/tmp/pat bs=1024 count=256 2>/dev/null
want=$(md5 /tmp/pat)
echo "E2E-READY remove"
t=$EPOCHREALTIME
end=$((${t%.*} + DURATION))
gone=
r=0
while :; do
    t=$EPOCHREALTIME
    [ ${t%.*} -ge $end ] && break
    r=$((r + 1))
    dd if=/tmp/pat of=/dev/$pe bs=4096 count=64 oflag=direct conv=notrunc 2>/dev/null
    dd if=/dev/$pe of=/tmp/back bs=4096 count=64 iflag=direct 2>/dev/null
    [ "$(md5 /tmp/back)" = "$want" ] || bad "remove: eckd data differs in round $r"
    if [ -z "$gone" ]; then
        a=$(cat "$(ccw $FBA)/availability" 2>/dev/null || echo removed)
        [ "$a" = good ] || { gone=$r; echo "fba availability '$a' at round $r"; }
    fi
    sleep 0.2
done
[ -n "$gone" ] && ok "remove fba device lost" || bad "remove: the FBA is still available"
[ -e "$(ccw $FBA)" ] && echo 0 >"$(ccw $FBA)/online"
for _ in $(seq 50); do [ -e "$(ccw $FBA)" ] || break; sleep 0.1; done
[ -e "$(ccw $FBA)" ] && bad "remove: 0.0.0200 still registered after offline" ||
    ok "remove fba unregistered"
val remove.ccw "$(ls /sys/bus/ccw/devices/ | tr '\n' ' ')"
val remove.eckd_md5 "$want"
echo "E2E-READY remove2"
t=$EPOCHREALTIME
end=$((${t%.*} + 20))
gone=
while :; do
    t=$EPOCHREALTIME
    [ ${t%.*} -ge $end ] && break
    a=$(cat "$(ccw $ECKD)/availability" 2>/dev/null || echo removed)
    [ "$a" = good ] || { gone=1; echo "eckd availability '$a'"; break; }
    sleep 0.2
done
[ -n "$gone" ] && ok "remove eckd device lost" || bad "remove: the ECKD is still available"
[ -e "$(ccw $ECKD)" ] && echo 0 >"$(ccw $ECKD)/online"
for _ in $(seq 50); do [ -e "$(ccw $ECKD)" ] || break; sleep 0.1; done
[ -e "$(ccw $ECKD)" ] && bad "remove: 0.0.0201 still registered after offline" ||
    ok "remove eckd unregistered"
dmesg | grep -E 'crw_info|0\.0\.0200' | tail -8
echo "E2E-END remove"
