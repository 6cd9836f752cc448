#!/usr/bin/python3
"""Tests of check-initramfs.py on a small Pi-4-like device tree (compiled with dtc) and a made-up kernel
module tree: the SD host's regulator-fixed supply must be in the initramfs, with every dependency.
Run: python3 -m unittest discover -s image-build -p 'test_*.py'   (needs dtc and python3-libfdt)"""
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DTS = """/dts-v1/;
/ {
    compatible = "raspberrypi,4-model-b", "brcm,bcm2711";
    #address-cells = <1>;
    #size-cells = <1>;
    sd_vcc: regulator-sd-vcc { compatible = "%s"; regulator-name = "vcc-sd"; };
    emmc2-bus {
        compatible = "simple-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;
        mmc@7e340000 { compatible = "brcm,bcm2711-emmc2"; reg = <0x7e340000 0x100>; vmmc-supply = <&sd_vcc>; };
    };
};
"""
ALIASES = """alias of:N*T*Cbrcm,bcm2711-emmc2C* sdhci_iproc
alias of:N*T*Cbrcm,bcm2711-emmc2 sdhci_iproc
alias of:N*T*Cregulator-fixedC* fixed
alias of:N*T*Cregulator-fixed fixed
"""
DEP = """kernel/drivers/mmc/host/sdhci-iproc.ko.xz: kernel/drivers/mmc/host/sdhci-pltfm.ko.xz
kernel/drivers/mmc/host/sdhci-pltfm.ko.xz:
kernel/drivers/regulator/fixed.ko.xz:
"""
BUILTIN = ["bus/simple-pm-bus", "usb/storage/usb-storage", "usb/storage/uas", "scsi/sd_mod", "fs/ext4/ext4",
           "fs/fat/vfat", "fs/nls/nls_cp437"]
ALL = ["kernel/drivers/mmc/host/sdhci-iproc.ko.xz", "kernel/drivers/mmc/host/sdhci-pltfm.ko.xz",
       "kernel/drivers/regulator/fixed.ko.xz"]


class CheckInitramfsTest(unittest.TestCase):

    def run_check(self, modules_in_initramfs, regulator="regulator-fixed"):
        with tempfile.TemporaryDirectory() as d:
            fat, mods = os.path.join(d, "fat"), os.path.join(d, "modules")
            os.makedirs(fat)
            os.makedirs(mods)
            with open(os.path.join(d, "pi4.dts"), "w") as f:
                f.write(DTS % regulator)
            subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", os.path.join(fat, "bcm2711-rpi-4-b.dtb"),
                            os.path.join(d, "pi4.dts")], check=True)
            for name, text in (("modules.alias", ALIASES), ("modules.dep", DEP),
                               ("modules.builtin", "".join("kernel/drivers/%s.ko\n" % b for b in BUILTIN))):
                with open(os.path.join(mods, name), "w") as f:
                    f.write(text)
            with open(os.path.join(mods, "modules.builtin.modinfo"), "wb") as f:
                f.write(b"simple_pm_bus.alias=of:N*T*Csimple-bus\0")
            listing = os.path.join(d, "lsinitramfs")
            with open(listing, "w") as f:
                f.write("".join("usr/lib/modules/7.0-arm64/%s\n" % m for m in modules_in_initramfs))
            return subprocess.run(["/usr/bin/python3", os.path.join(HERE, "check-initramfs.py"), "--fat", fat,
                                   "--modules", mods, "--initramfs-list", listing, "--boards", "bcm2711-rpi-4-b.dtb"],
                                  capture_output=True, text=True)

    def test_passes_when_the_sd_host_and_its_supply_have_their_modules(self):
        r = self.run_check(ALL)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("ok   Raspberry Pi 4 B", r.stdout)

    def test_modules_decompressed_into_the_initramfs_count(self):
        r = self.run_check([m[:-len(".xz")] for m in ALL])
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_fails_without_the_regulator_the_sd_host_waits_for(self):
        r = self.run_check([m for m in ALL if "fixed" not in m])
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("MISSING: module fixed (kernel/drivers/regulator/fixed.ko.xz) is not in the initramfs", r.stdout)
        self.assertIn("vmmc-supply of /emmc2-bus/mmc@7e340000", r.stdout)

    def test_fails_without_a_dependency_of_a_needed_module(self):
        r = self.run_check([m for m in ALL if "pltfm" not in m])
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("sdhci_pltfm (kernel/drivers/mmc/host/sdhci-pltfm.ko.xz, needed by sdhci_iproc)", r.stdout)

    def test_fails_when_the_kernel_has_no_driver_for_a_node(self):
        r = self.run_check(ALL, regulator="acme,regulator")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("/regulator-sd-vcc (SD host): no driver for acme,regulator", r.stdout)


if __name__ == "__main__":
    unittest.main()
