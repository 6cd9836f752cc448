#!/usr/bin/python3
"""Static check that the card's initramfs can reach its root file system on every supported board.

For each board's device tree on the FAT partition, starting from the SD/eMMC hosts and the USB-storage
path, it follows the phandles a driver waits for before it probes (supplies, clocks, resets, DMA,
mailboxes, power domains, PHYs, GPIOs, pin control) and every node's parent buses, maps each node's
`compatible` to drivers the way udev/modprobe do (the node's OF modalias matched against the kernel's
modules.alias and modules.builtin.modinfo), and checks that every module so found - and what it depends
on (modules.dep) - is in the initramfs. A node whose driver is a module missing from the initramfs makes
the probe wait for ever (the Pi 4's SD host waits on its `regulator-fixed` vmmc supply), so it fails the
check, and so does a node for which this kernel has no driver at all (unless the node is handled by the
kernel core, CORE below).

usage: check-initramfs.py --fat DIR --modules DIR --initramfs-list FILE [--boards A.dtb,B.dtb] [--verbose]
  --fat             the FAT partition's files (the boards' .dtb)
  --modules         /usr/lib/modules/<version> of the card's kernel (modules.alias, .dep, .builtin*)
  --initramfs-list  `lsinitramfs` of the initramfs on the FAT partition
exit status 0 when every board passes, 1 otherwise; the report names each node, its driver and where
that driver is (builtin / initramfs / MISSING).
"""
import argparse
import fnmatch
import os
import re
import sys

import libfdt

# Boards the README lists as supported: DTB on the FAT partition -> board.
BOARDS = {
    "bcm2837-rpi-3-b.dtb": "Raspberry Pi 3 B",
    "bcm2837-rpi-3-b-plus.dtb": "Raspberry Pi 3 B+",
    "bcm2711-rpi-4-b.dtb": "Raspberry Pi 4 B",
    "bcm2711-rpi-400.dtb": "Raspberry Pi 400",
    "bcm2711-rpi-cm4-io.dtb": "Compute Module 4 (IO board)",
    "bcm2712-rpi-5-b.dtb": "Raspberry Pi 5 (BCM2712 C1)",
    "bcm2712-d-rpi-5-b.dtb": "Raspberry Pi 5 (BCM2712 D0)",
}

# Modules the root file system needs that no device tree node names: the USB mass-storage class drivers
# (matched by USB interface class), the SCSI disk, the card's file systems.
ALWAYS = ["usb_storage", "uas", "sd_mod", "ext4", "vfat", "nls_cp437"]

# PCI functions under a PCIe node are matched by PCI class, not by their DT compatible: vendor,device -> module.
PCI_BY_CLASS = {
    "pci1106,3483": "xhci_pci",  # VIA VL805 USB 3 host of the Pi 4/400 (class 0c0330, xHCI)
}

# A device on a USB bus (usbVID,PID): bound by USB ids, the hub by usbcore; not part of the storage path.
USB_DEVICE = re.compile(r"usb[0-9a-f]{1,4},[0-9a-f]{1,4}")

# Drivers that create a device no DT node describes: DWC3 in host mode registers an "xhci-hcd" platform
# device, bound by xhci-plat-hcd.
CREATES = {"dwc3": ["xhci_plat_hcd"]}

# Compatibles served by the kernel core (OF platform bus, CLK_OF_DECLARE/IRQCHIP_DECLARE, the
# root node's board strings): no module, nothing to load.
CORE = {
    "simple-bus", "simple-mfd", "fixed-clock", "fixed-factor-clock", "arm,gic-400", "arm,cortex-a7-gic",
    "brcm,bcm2836-l1-intc", "brcm,bcm2836-armctrl-ic", "brcm,bcm2835-armctrl-ic", "brcm,bcm2712-pcie-msi",
}

# phandle properties a driver waits for before its probe can finish: property -> #cells property
# of the node pointed at (None: plain phandle list).
PHANDLE_LISTS = {
    "clocks": "#clock-cells",
    "resets": "#reset-cells",
    "dmas": "#dma-cells",
    "mboxes": "#mbox-cells",
    "power-domains": "#power-domain-cells",
    "phys": "#phy-cells",
    "iommus": "#iommu-cells",
    "gpio": "#gpio-cells",
    "gpios": "#gpio-cells",
}


def prop_cells(fdt, node, name):
    p = fdt.getprop(node, name, quiet=(libfdt.NOTFOUND,))
    if isinstance(p, int) or len(p) % 4:
        return None
    return [int.from_bytes(p[i:i + 4], "big") for i in range(0, len(p), 4)]


def prop_int(fdt, node, name, default):
    cells = prop_cells(fdt, node, name)
    return cells[0] if cells else default


def compatibles(fdt, node):
    p = fdt.getprop(node, "compatible", quiet=(libfdt.NOTFOUND,))
    if isinstance(p, int):
        return []
    return [c for c in bytes(p).decode("ascii", "replace").split("\0") if c]


def enabled(fdt, node):
    p = fdt.getprop(node, "status", quiet=(libfdt.NOTFOUND,))
    return isinstance(p, int) or bytes(p).rstrip(b"\0") in (b"okay", b"ok")


def node_path(fdt, node):
    parts = []
    while node > 0:
        parts.insert(0, fdt.get_name(node))
        node = fdt.parent_offset(node, quiet=(libfdt.NOTFOUND,))
    return "/" + "/".join(parts)


def by_phandle(fdt, ph):
    try:
        return fdt.node_offset_by_phandle(ph)
    except libfdt.FdtException:
        return None


def dependencies(fdt, node):
    """Nodes this node's driver waits for: phandle properties, then the parent bus."""
    out = []
    off = fdt.first_property_offset(node, quiet=(libfdt.NOTFOUND,))
    while off >= 0:
        prop = fdt.get_property_by_offset(off)
        name = prop.name
        off = fdt.next_property_offset(off, quiet=(libfdt.NOTFOUND,))
        cells = prop_cells(fdt, node, name)
        if cells is None:
            continue
        if name.endswith("-supply") or re.fullmatch(r"pinctrl-\d+", name):
            out += [(name, n) for n in map(lambda c: by_phandle(fdt, c), cells) if n is not None]
            continue
        key = name if name in PHANDLE_LISTS else ("gpios" if name.endswith(("-gpios", "-gpio")) else None)
        if key is None or (key == "clocks" and prop_int(fdt, node, "#clock-cells", None) is not None):
            continue  # a clock provider's own clocks are its parents: it registers without them (orphans)
        i = 0
        while i < len(cells):
            target = by_phandle(fdt, cells[i]) if cells[i] else None
            if target is None:
                i += 1
                continue
            out.append((name, target))
            i += 1 + prop_int(fdt, target, PHANDLE_LISTS[key], 0)
    parent = fdt.parent_offset(node, quiet=(libfdt.NOTFOUND,))
    if parent > 0:  # the root node (offset 0) only names the board
        out.append(("parent", parent))
    return out


OF_ALIAS = re.compile(r"of:N\*T\*C(.+?)(?:C\*)?")


class Aliases:
    """modalias patterns -> modules. OF patterns of the usual form of:N*T*C<compatible>[C*] are indexed by
    their compatible (thousands of them: fnmatch over all for every node is too slow); others are matched
    with fnmatch, as modprobe does."""

    def __init__(self):
        self.by_compat, self.others = {}, []

    def add(self, pattern, module):
        m = OF_ALIAS.fullmatch(pattern)
        if m and not any(ch in m.group(1) for ch in "*?["):
            self.by_compat.setdefault(m.group(1), set()).add(norm(module))
        elif pattern.startswith(("of:", "pci:v0000")) and not pattern.startswith("pci:v0000*"):
            self.others.append((pattern, norm(module)))  # pci: only those naming a vendor (RP1, not class matches)

    def match(self, modalias, compat):
        found = set()
        for c in compat:
            found |= self.by_compat.get(c.replace(" ", "_"), set())
        return found | {m for p, m in self.others if fnmatch.fnmatchcase(modalias, p)}


class Kernel:
    def __init__(self, moddir):
        self.aliases, self.builtin_aliases = Aliases(), Aliases()
        with open(os.path.join(moddir, "modules.alias")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "alias":
                    self.aliases.add(parts[1], parts[2])
        with open(os.path.join(moddir, "modules.builtin.modinfo"), "rb") as f:
            for entry in f.read().split(b"\0"):
                m = re.fullmatch(rb"([^.]+)\.alias=(.*)", entry)
                if m:
                    self.builtin_aliases.add(m.group(2).decode(), m.group(1).decode())
        self.builtin = set()
        with open(os.path.join(moddir, "modules.builtin")) as f:
            for line in f:
                self.builtin.add(norm(os.path.basename(line.strip()).split(".ko")[0]))
        self.paths, self.deps = {}, {}
        with open(os.path.join(moddir, "modules.dep")) as f:
            for line in f:
                path, _, deps = line.partition(":")
                name = norm(os.path.basename(path).split(".ko")[0])
                self.paths[name] = path
                self.deps[name] = [norm(os.path.basename(d).split(".ko")[0]) for d in deps.split()]

    def drivers(self, modalias, compat):
        """(builtin modules, loadable modules) whose alias matches the node's modalias."""
        builtin = self.builtin_aliases.match(modalias, compat)
        return builtin, self.aliases.match(modalias, compat) - builtin

    def closure(self, module):
        seen, todo = [], [module]
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.append(m)
                todo += self.deps.get(m, [])
        return seen


def norm(name):
    return name.replace("-", "_")


def modalias(fdt, node, compat):
    """The uevent MODALIAS the kernel gives the device: of:N<name>T<type>C<compatible>... for a DT node,
    pci:v<vendor>d<device>... for a PCI function described as pciVVVV,DDDD (subsystem and class unknown
    here: those matched by class are in PCI_BY_CLASS)."""
    pci = re.fullmatch(r"pci([0-9a-f]{1,4}),([0-9a-f]{1,4})", compat[0])
    if pci:
        return "pci:v0000%04Xd0000%04Xsv00000000sd00000000bc00sc00i00" % (int(pci.group(1), 16), int(pci.group(2), 16))
    name = fdt.get_name(node).split("@")[0]
    dtype = fdt.getprop(node, "device_type", quiet=(libfdt.NOTFOUND,))
    dtype = "<NULL>" if isinstance(dtype, int) else bytes(dtype).rstrip(b"\0").decode()
    return "of:N%sT%s%s" % (name, dtype, "".join("C" + c.replace(" ", "_") for c in compat))


def start_nodes(fdt):
    """Enabled SD/eMMC hosts and USB hosts (their parent buses bring in the PCIe root, the RP1, ...)."""
    out, stack = [], [0]
    while stack:
        child = fdt.first_subnode(stack.pop(), quiet=(libfdt.NOTFOUND,))
        while child >= 0:
            if enabled(fdt, child):
                name = fdt.get_name(child)
                if re.match(r"(mmc|mmcnr|sdhci|emmc\d*)(@|$)", name):
                    out.append(("SD host", child))
                elif re.match(r"usb(@|$)", name):
                    out.append(("USB storage path", child))
                else:
                    stack.append(child)
            child = fdt.next_subnode(child, quiet=(libfdt.NOTFOUND,))
    return out


def check_board(path, kernel, initramfs):
    fdt = libfdt.Fdt(open(path, "rb").read())
    problems, lines, seen, needed = [], [], set(), set(ALWAYS)
    todo = [(why, n, None) for why, n in start_nodes(fdt)]
    if not any(why == "SD host" for why, _, _ in todo):
        problems.append("no enabled SD/eMMC host node")
    while todo:
        why, node, via = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        npath = node_path(fdt, node)
        compat = compatibles(fdt, node)
        todo += [(why, n, "%s of %s" % (prop, npath)) for prop, n in dependencies(fdt, node)]
        if not compat or USB_DEVICE.fullmatch(compat[0]):
            continue  # no driver of its own, or a USB device (hub, Ethernet) matched by its USB ids
        builtin, modules = kernel.drivers(modalias(fdt, node, compat), compat)
        pci = [PCI_BY_CLASS[c] for c in compat if c in PCI_BY_CLASS]
        if builtin:
            where = "builtin " + ",".join(sorted(builtin))
        elif modules or pci:
            needed.update(modules | set(pci))
            needed.update(x for m in modules for x in CREATES.get(m, []))
            where = "module " + ",".join(sorted(modules | set(pci)))
        elif set(compat) & CORE or compat[0].startswith("pci"):
            where = "kernel core / bus"  # PCI bridges: pcieport
        else:
            where = "NO DRIVER in this kernel"
            problems.append("%s (%s): no driver for %s" % (npath, why, " ".join(compat)))
        lines.append("  %-55s %-28s %s%s" % (npath, compat[0], where, "  <- " + via if via else ""))
    for module in sorted(needed):
        if module in kernel.builtin:
            continue
        if module not in kernel.paths:
            problems.append("module %s is not built for this kernel" % module)
            continue
        for m in kernel.closure(module):
            if m not in kernel.builtin and re.sub(r"\.ko\.[a-z]+$", ".ko", kernel.paths.get(m, "")) not in initramfs:
                problems.append("module %s (%s%s) is not in the initramfs" % (
                    m, kernel.paths.get(m), "" if m == module else ", needed by " + module))
    return lines, sorted(set(problems))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fat", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--initramfs-list", required=True)
    ap.add_argument("--verbose", action="store_true", help="print every node followed")
    ap.add_argument("--boards", help="comma-separated DTB names to check instead of every supported board")
    a = ap.parse_args()
    kernel = Kernel(a.modules)
    initramfs = set()
    for line in open(a.initramfs_list):
        m = re.search(r"(?:^|/)lib/modules/[^/]+/(.*\.ko)(?:\.[a-z]+)?$", line.strip())
        if m:
            initramfs.add(m.group(1))  # without .xz/.zst: mkinitramfs may decompress modules into a compressed initramfs
    failed = 0
    boards = {d: BOARDS.get(d, d) for d in a.boards.split(",")} if a.boards else BOARDS
    for dtb, board in boards.items():
        path = os.path.join(a.fat, dtb)
        if not os.path.exists(path):
            print("FAIL %s: %s is not on the FAT partition" % (board, dtb))
            failed += 1
            continue
        lines, problems = check_board(path, kernel, initramfs)
        print("%s %s (%s): %d nodes followed" % ("FAIL" if problems else "ok  ", board, dtb, len(lines)))
        if a.verbose or problems:
            print("\n".join(lines))
        for p in problems:
            print("  MISSING: " + p)
        failed += bool(problems)
    print("initramfs check: %d boards, %d failed" % (len(boards), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # python3-libfdt 1.6.1 aborts in the interpreter's finalisation (a refcount bug)
