// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vb_slow: a host driver for the vfio-bind VM tests, and for nothing else.
 *
 * It claims QEMU's "edu" device (PCI 1234:11e8), which no driver of the kernel claims,
 * and does nothing with it but take its time: probe and remove each sleep delay_ms
 * milliseconds, as a real driver waiting for firmware or a reset would. A batch of
 * such devices moved one after the other takes N times that; moved concurrently,
 * about once.
 *
 * Parameters, under /sys/module/vb_slow/parameters/ (all but in_flight writable at run
 * time):
 *   delay_ms       the sleep of each probe and each remove (default 200)
 *   fail_probe     a device name ("0000:05:00.0") whose probe fails with -EIO after
 *                  the sleep: the hand-back of that one device to its host driver fails
 *   in_flight      probes and removes sleeping right now (read only)
 *   max_in_flight  the most that were ever sleeping at once; write 0 to start again
 *   probes         probes so far, failed ones included; write 0 to start again
 *   removes        removes so far; write 0 to start again
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/string.h>

static unsigned int delay_ms = 200;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "milliseconds each probe and each remove sleeps (default 200)");

static char fail_probe[32];
module_param_string(fail_probe, fail_probe, sizeof(fail_probe), 0644);
MODULE_PARM_DESC(fail_probe, "the device (e.g. 0000:05:00.0) whose probe fails with -EIO");

/* Counters, shown (and reset by writing 0) as parameters. */
static atomic_t n_in_flight = ATOMIC_INIT(0);
static atomic_t n_max_in_flight = ATOMIC_INIT(0);
static atomic_t n_probes = ATOMIC_INIT(0);
static atomic_t n_removes = ATOMIC_INIT(0);

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static int counter_set(const char *val, const struct kernel_param *kp)
{
	int v;
	int ret = kstrtoint(val, 0, &v);

	if (ret)
		return ret;
	atomic_set((atomic_t *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops counter_ops = {
	.set = counter_set,
	.get = counter_get,
};

module_param_cb(in_flight, &counter_ops, &n_in_flight, 0444);
MODULE_PARM_DESC(in_flight, "probes and removes sleeping now");
module_param_cb(max_in_flight, &counter_ops, &n_max_in_flight, 0644);
MODULE_PARM_DESC(max_in_flight, "the most probes and removes ever sleeping at once (write 0 to reset)");
module_param_cb(probes, &counter_ops, &n_probes, 0644);
MODULE_PARM_DESC(probes, "probes so far, failed ones included (write 0 to reset)");
module_param_cb(removes, &counter_ops, &n_removes, 0644);
MODULE_PARM_DESC(removes, "removes so far (write 0 to reset)");

static void slow_enter(void)
{
	int now = atomic_inc_return(&n_in_flight);
	int max = atomic_read(&n_max_in_flight);

	/* Raise the high-water mark unless another caller raised it past us. */
	while (now > max) {
		int seen = atomic_cmpxchg(&n_max_in_flight, max, now);

		if (seen == max)
			break;
		max = seen;
	}
	msleep(READ_ONCE(delay_ms));
}

static void slow_leave(void)
{
	atomic_dec(&n_in_flight);
}

/* Whether the probe of pdev is to fail; the parameter is written under this lock. */
static bool fails(struct pci_dev *pdev)
{
	bool match;

	kernel_param_lock(THIS_MODULE);
	match = fail_probe[0] && sysfs_streq(fail_probe, pci_name(pdev));
	kernel_param_unlock(THIS_MODULE);
	return match;
}

static int vb_slow_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret = 0;

	atomic_inc(&n_probes);
	slow_enter();
	if (fails(pdev)) {
		dev_info(&pdev->dev, "failing the probe as fail_probe asks\n");
		ret = -EIO;
	}
	slow_leave();
	return ret;
}

static void vb_slow_remove(struct pci_dev *pdev)
{
	atomic_inc(&n_removes);
	slow_enter();
	slow_leave();
}

static const struct pci_device_id vb_slow_table[] = {
	/* QEMU's educational device, "-device edu". */
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{}
};
MODULE_DEVICE_TABLE(pci, vb_slow_table);

static struct pci_driver vb_slow_driver = {
	.name = "vb_slow",
	.id_table = vb_slow_table,
	.probe = vb_slow_probe,
	.remove = vb_slow_remove,
};
module_pci_driver(vb_slow_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only slow host driver for QEMU's edu device (vfio-bind VM tests)");
