#!/bin/sh
# Builds the sandbox's guest image from Debian packages only, into OUT:
#   vmlinuz    the kernel of KERNEL_PACKAGE (apt-get download + dpkg-deb -x, not installed)
#   initrd.gz  busybox-static + dropbear + lsblk/blkid + the kernel's virtio/IDE/iso9660 modules
#              + this directory's init files: the whole guest runs from the initramfs
#   disk.img   an empty 1 MiB root disk (Glance's AMI: Nova boots kernel + ramdisk, vda is unused)
# Same packages in, same bytes out: sorted archive, fixed timestamps, gzip -n.
# usage: build.sh OUT KERNEL_PACKAGE
set -eu
OUT=$1
PKG=$2
SRC=$(cd "$(dirname "$0")" && pwd)
WORK=$OUT.work
rm -rf "$WORK"
mkdir -p "$WORK/deb" "$OUT"
(cd "$WORK/deb" && apt-get download -q "$PKG" >/dev/null)
dpkg-deb -x "$WORK"/deb/*.deb "$WORK/kernel"
KVER=$(ls "$WORK/kernel/lib/modules")
M=$WORK/kernel/lib/modules/$KVER
R=$WORK/root
mkdir -p "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/etc/dropbear" "$R/etc/acpi/PWRF" \
  "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/mnt/config" "$R/root/.ssh" "$R/home/cirros" \
  "$R/var/run" "$R/var/log" "$R/lib64" "$R/lib/x86_64-linux-gnu"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do
  [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"
done
# Tempest runs "lsblk -lb --nodeps" and "blkid -L config-2 -o device": busybox has neither
cp /usr/sbin/dropbear "$R/usr/sbin/"
cp /usr/bin/lsblk "$R/usr/bin/lsblk"
cp /usr/sbin/blkid "$R/usr/sbin/blkid"
for b in /usr/sbin/dropbear /usr/bin/lsblk /usr/sbin/blkid; do
  for l in $(ldd "$b" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
    case $l in
      /lib64/*) cp -L "$l" "$R/lib64/" ;;
      *) cp -L "$l" "$R/lib/x86_64-linux-gnu/" ;;
    esac
  done
done
# virtio, IDE (machine type pc: the config drive is an IDE cdrom) and iso9660 are modules in
# Debian's cloud kernel
for ko in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko \
    drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko \
    drivers/virtio/virtio_pci.ko net/core/failover.ko drivers/net/net_failover.ko \
    drivers/net/virtio_net.ko drivers/block/virtio_blk.ko drivers/scsi/virtio_scsi.ko \
    drivers/char/hw_random/virtio-rng.ko drivers/scsi/scsi_common.ko drivers/scsi/scsi_mod.ko \
    drivers/ata/libata.ko drivers/ata/ata_piix.ko drivers/cdrom/cdrom.ko drivers/scsi/sr_mod.ko \
    fs/isofs/isofs.ko drivers/acpi/button.ko drivers/input/evdev.ko; do
  mkdir -p "$R/lib/modules/$KVER/kernel/$(dirname "$ko")"
  cp "$M/kernel/$ko" "$R/lib/modules/$KVER/kernel/$ko"
done
cp "$M/modules.builtin" "$M/modules.order" "$R/lib/modules/$KVER/"
/bin/busybox depmod -b "$R" "$KVER"
# root and cirros (Tempest's default image_ssh_user), both uid 0 so sudo needs nothing
printf 'root:x:0:0:root:/root:/bin/sh\ncirros:x:0:0:cirros:/home/cirros:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
printf 'root:*:1::::::\ncirros:*:1::::::\n' > "$R/etc/shadow"
chmod 600 "$R/etc/shadow"
printf '/bin/sh\n' > "$R/etc/shells"
rm -f "$R/bin/nc"
install -m 755 "$SRC/nc" "$R/bin/nc"
install -m 755 "$SRC/sudo" "$R/usr/bin/sudo"
install -m 755 "$SRC/rc" "$R/etc/rc"
install -m 755 "$SRC/udhcpc.script" "$R/etc/udhcpc.script"
install -m 644 "$SRC/inittab" "$R/etc/inittab"
# ACPI power button: Nova's soft shutdown (stop, resize, ...) ends in a clean poweroff
printf '#!/bin/sh\n/bin/poweroff\n' > "$R/etc/acpi/PWRF/00000080"
chmod 755 "$R/etc/acpi/PWRF/00000080"
ln -sf ../bin/busybox "$R/sbin/init"
printf '#!/bin/sh\nexec /sbin/init\n' > "$R/init"
chmod 755 "$R/init"
find "$R" -exec touch -h -d @0 {} +
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible | gzip -9 -n) > "$WORK/initrd.gz"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
truncate -s 1M "$WORK/disk.img"
mv "$WORK/initrd.gz" "$WORK/vmlinuz" "$WORK/disk.img" "$OUT/"
rm -rf "$WORK"
