# SPDX-License-Identifier: MIT
# Guest side of the e2e tests (busybox sh in the guest kit's initramfs):
# prepended to each scenario script.  Every check prints one line the host
# parses from the console:
#   E2E-OK <what>            a check passed
#   E2E-FAIL <what>: <why>   a check failed (the host fails the test)
#   E2E-VAL <key>=<value>    a value the host compares (checksums, offsets)
FBA=0.0.0200
ECKD=0.0.0201
ok() { echo "E2E-OK $*"; }
bad() { echo "E2E-FAIL $*"; }
val() { echo "E2E-VAL $1=$2"; }
check() { # WHAT CMD... : ok/fail on the command's status
    w=$1
    shift
    if "$@" >/tmp/check.out 2>&1; then
        ok "$w"
    else
        bad "$w: '$*' failed: $(tail -3 /tmp/check.out | tr '\n' ' ')"
    fi
}
ccw() { echo "/sys/bus/ccw/devices/$1"; }

# DEVNO -> dasdX (once online)
disk_of() {
    for b in "$(ccw "$1")"/block/dasd*; do
        [ -e "$b" ] && basename "$b" && return 0
    done
    return 1
}

# the device is sensed by cio: present, with the expected Sense ID
sensed() { # DEVNO DEVTYPE-PREFIX
    [ -d "$(ccw "$1")" ] || { bad "sense $1: no ccw device"; return 1; }
    t=$(cat "$(ccw "$1")/devtype")
    case $t in
    $2*) ok "sense $1 devtype $t cutype $(cat "$(ccw "$1")/cutype")" ;;
    *) bad "sense $1: devtype $t, want $2"; return 1 ;;
    esac
}

set_online() { # DEVNO
    echo 1 >"$(ccw "$1")/online" 2>/tmp/err ||
        { bad "online $1: $(cat /tmp/err)"; return 1; }
    for _ in $(seq 50); do
        [ "$(cat "$(ccw "$1")/online")" = 1 ] && disk_of "$1" >/dev/null &&
            [ -b "/dev/$(disk_of "$1")" ] && { ok "online $1"; return 0; }
        sleep 0.1
    done
    bad "online $1: not online after 5 s"
    return 1
}

# the first partition of DEVNO's disk, once the kernel found it
part_of() { # DEVNO -> dasdX1
    d=$(disk_of "$1") || return 1
    for _ in $(seq 50); do
        grep -q " ${d}1\$" /proc/partitions && [ -b "/dev/${d}1" ] &&
            { echo "${d}1"; return 0; }
        sleep 0.1
    done
    return 1
}

md5() { md5sum "$1" | cut -d' ' -f1; }
size_kib() { echo $(($(cat "/sys/class/block/$1/size") / 2)); }
