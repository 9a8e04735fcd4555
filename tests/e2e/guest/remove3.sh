# Remove, boot 2: a new mdev on the ECKD's subchannel serves the data the
# first boot wrote.
echo "E2E-BEGIN remove3"
sensed $ECKD 3390
set_online $ECKD
pe=$(part_of $ECKD) || bad "partition eckd: not found"
dd if=/dev/$pe of=/tmp/back bs=4096 count=64 iflag=direct 2>/dev/null
val remove.eckd_md5 "$(md5 /tmp/back)"
[ -e "$(ccw $FBA)" ] && bad "remove3: the lost FBA is back" || ok "remove3 no fba"
echo "E2E-END remove3"
