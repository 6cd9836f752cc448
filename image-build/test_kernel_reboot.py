#!/usr/bin/python3
"""Tests of the image's kernel-reboot script (overlay/usr/lib/mailkeep/kernel-reboot) with stand-in commands:
it reboots into a newer installed kernel only in the owner's hour, never with MAILKEEP_KERNEL_REBOOT_HOUR=off,
not while apt runs, and not when the new kernel is not on the FAT partition.
Run: python3 -m unittest discover -s image-build -p 'test_*.py'"""
import os
import subprocess
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "overlay/usr/lib/mailkeep/kernel-reboot")
STANDINS = {
    "uname": 'echo "$FAKE_RUNNING"',
    "linux-version": 'if [ "$1" = list ]; then printf "%s\\n" $FAKE_INSTALLED; else sort -V; fi',
    "date": 'echo "$FAKE_HOUR"',
    "systemctl": 'echo "systemctl $*" >> "$FAKE_LOG"; '
                 'if [ "$1" = -q ] && [ "$2" = is-active ]; then [ "$3" = "$FAKE_ACTIVE" ]; fi',
    "boot-partition": '[ "$FAKE_FAT" = mounted ]',
}


class KernelRebootTest(unittest.TestCase):

    def run_script(self, hour_setting="4", now="4", running="7.3.4+deb13-arm64",
                   installed="7.3.4+deb13-arm64 7.3.10+deb13-arm64", active="", fat="mounted", on_fat=True):
        with tempfile.TemporaryDirectory() as d:
            bin_dir, fw = os.path.join(d, "bin"), os.path.join(d, "firmware")
            os.makedirs(bin_dir)
            os.makedirs(fw)
            for name, body in STANDINS.items():
                path = os.path.join(bin_dir, name)
                with open(path, "w") as f:
                    f.write("#!/bin/sh\n" + body + "\n")
                os.chmod(path, 0o755)
            newest = installed.split()[-1]
            if on_fat:
                for f in ("vmlinuz-" + newest, "initrd.img-" + newest):
                    open(os.path.join(fw, f), "w").close()
            env_file = os.path.join(d, "mailkeep.env")
            with open(env_file, "w") as f:
                f.write("MAILKEEP_DATA_DIR=/var/lib/mailkeep\nMAILKEEP_KERNEL_REBOOT_HOUR=%s\n" % hour_setting)
            log = os.path.join(d, "log")
            open(log, "w").close()
            env = dict(os.environ, PATH=bin_dir + ":/usr/bin:/bin", MAILKEEP_ENV_FILE=env_file,
                       MAILKEEP_FIRMWARE_DIR=fw, MAILKEEP_BOOT_PARTITION_CHECK=os.path.join(bin_dir, "boot-partition"),
                       FAKE_RUNNING=running, FAKE_INSTALLED=installed, FAKE_HOUR=now, FAKE_ACTIVE=active,
                       FAKE_FAT=fat, FAKE_LOG=log)
            r = subprocess.run(["sh", SCRIPT], env=env, capture_output=True, text=True)
            with open(log) as f:
                return r, "systemctl reboot" in f.read()

    def test_reboots_into_a_newer_kernel_in_the_owners_hour(self):
        r, rebooted = self.run_script()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(rebooted)
        self.assertIn("rebooting into kernel 7.3.10+deb13-arm64", r.stdout)

    def test_waits_for_the_hour_and_does_nothing_when_the_newest_kernel_runs(self):
        self.assertFalse(self.run_script(now="13")[1])
        self.assertFalse(self.run_script(running="7.3.10+deb13-arm64")[1])

    def test_off_means_never(self):
        r, rebooted = self.run_script(hour_setting="off")
        self.assertFalse(rebooted)
        self.assertIn("reboot to run it (MAILKEEP_KERNEL_REBOOT_HOUR=off)", r.stdout)

    def test_not_while_apt_upgrades(self):
        r, rebooted = self.run_script(active="apt-daily-upgrade.service")
        self.assertFalse(rebooted)
        self.assertIn("waits: apt-daily-upgrade.service is running", r.stdout)

    def test_not_into_the_old_kernel_when_the_fat_partition_lacks_the_new_one(self):
        for kwargs in ({"on_fat": False}, {"fat": "missing"}):
            r, rebooted = self.run_script(**kwargs)
            self.assertFalse(rebooted)
            self.assertEqual(r.returncode, 1)
            self.assertIn("not on the FAT partition", r.stderr)

    def test_a_setting_that_is_no_hour_is_an_error(self):
        r, rebooted = self.run_script(hour_setting="4am")
        self.assertFalse(rebooted)
        self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main()
