// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-holder: plays the VM or DPDK application that holds a device open through VFIO,
 * for the vfio-bind VM tests. Built static on the host, run in the busybox guest.
 *
 *   vfio-holder [-c | -d DEVICE [-r]] GROUP_NODE SECONDS
 *   vfio-holder -s GROUP_NODE
 *   vfio-holder -i CDEV SECONDS
 *
 * Opens GROUP_NODE (/dev/vfio/N) and holds it for SECONDS, then closes everything and
 * exits 0. With -c it also puts the group in a container with the type1 IOMMU, which
 * claims the group's DMA for userspace (no kernel driver can bind in it then). With
 * -d it goes on as QEMU does to use a device: a device fd for DEVICE; holding that fd
 * is what makes the kernel's unbind wait (vfio_unregister_group_dev). With -r it registers a
 * request eventfd (VFIO_PCI_REQ_IRQ_INDEX) and lets go as soon as the kernel asks for
 * the device back, as QEMU does by unplugging it from the guest.
 * -s prints "viable" or "not viable": the kernel's own verdict on the group
 * (VFIO_GROUP_FLAGS_VIABLE), to check vfio-bind's against.
 * -i plays QEMU with iommufd (Linux 6.6+): it opens the device's own node CDEV
 * (/dev/vfio/devices/vfioN) and /dev/iommu, binds the device to that iommufd
 * (VFIO_DEVICE_BIND_IOMMUFD, which opens the device) and attaches it to a new IO
 * address space, without the group.
 *
 * Lines on stdout, each flushed: "holder: holding ..." once everything is open (the
 * test waits for it), "holder: let go ..." at the end. Exit 1 with a reason on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

/* The iommufd interface (Linux 6.6), for builds against older uapi headers. */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
struct holder_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
/* IOMMU_IOAS_ALLOC: iommufd's command 0x81. */
#define HOLDER_IOAS_ALLOC _IO(';', 0x81)

static int die(const char *what)
{
	printf("holder: %s: %s\n", what, strerror(errno));
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The request eventfd: vfio_pci_core_request() signals it on every unbind attempt. */
static int register_request(int device)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int efd = eventfd(0, EFD_CLOEXEC);

	if (efd < 0)
		return -1;
	*set = (struct vfio_irq_set){
		.argsz = sizeof(buf),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_REQ_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};
	memcpy(set->data, &efd, sizeof(efd));
	if (ioctl(device, VFIO_DEVICE_SET_IRQS, set) < 0)
		return -1;
	return efd;
}

/* QEMU's way with iommufd: the device's cdev, bound to /dev/iommu, in an IOAS. */
static int hold_cdev(const char *cdev, double seconds)
{
	struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind)};
	struct holder_ioas_alloc ioas = {.size = sizeof(ioas)};
	struct vfio_device_attach_iommufd_pt attach = {.argsz = sizeof(attach)};
	int device, iommufd;
	double start;

	device = open(cdev, O_RDWR | O_CLOEXEC);
	if (device < 0)
		return die(cdev);
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		return die("/dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(device, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
		return die("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(iommufd, HOLDER_IOAS_ALLOC, &ioas) < 0)
		return die("IOMMU_IOAS_ALLOC");
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0)
		return die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	printf("holder: holding %s bound to /dev/iommu (device id %u, IOAS %u) for %gs as pid %d\n",
	       cdev, bind.out_devid, ioas.out_ioas_id, seconds, (int)getpid());
	start = now();
	while (now() - start < seconds)
		poll(NULL, 0, (int)((seconds - (now() - start)) * 1000) + 1);
	close(device);
	close(iommufd);
	printf("holder: let go after %.1fs\n", now() - start);
	return 0;
}

int main(int argc, char **argv)
{
	const char *device_name = NULL;
	struct vfio_group_status status = {.argsz = sizeof(status)};
	int opt, group, container = -1, device = -1, req = -1, only_status = 0, on_request = 0;
	int use_container = 0, cdev = 0;
	double start, seconds = 0;

	while ((opt = getopt(argc, argv, "cd:irs")) != -1) {
		switch (opt) {
		case 'i':
			cdev = 1;
			break;
		case 'c':
			use_container = 1;
			break;
		case 'd':
			device_name = optarg;
			use_container = 1;
			break;
		case 'r':
			on_request = 1;
			break;
		case 's':
			only_status = 1;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != (only_status ? 1 : 2) || (on_request && !device_name) ||
	    (cdev && (device_name || use_container || only_status))) {
		fprintf(stderr,
			"usage: %s [-c | -d DEVICE [-r]] GROUP_NODE SECONDS | -s GROUP_NODE |"
			" -i CDEV SECONDS\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cdev)
		return hold_cdev(argv[optind], atof(argv[optind + 1]));
	if (!only_status)
		seconds = atof(argv[optind + 1]);

	group = open(argv[optind], O_RDWR | O_CLOEXEC);
	if (group < 0)
		return die(argv[optind]);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0)
		return die("VFIO_GROUP_GET_STATUS");
	if (only_status) {
		printf("%s\n", status.flags & VFIO_GROUP_FLAGS_VIABLE ? "viable" : "not viable");
		return 0;
	}
	if (use_container) {
		container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		if (container < 0)
			return die("/dev/vfio/vfio");
		/* EPERM here: the group is not viable (a member is on a host driver). */
		if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
			return die("VFIO_GROUP_SET_CONTAINER");
		if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
			return die("VFIO_SET_IOMMU type1v2");
	}
	if (device_name) {
		device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, device_name);
		if (device < 0)
			return die("VFIO_GROUP_GET_DEVICE_FD");
		if (on_request && (req = register_request(device)) < 0)
			return die("VFIO_DEVICE_SET_IRQS (request)");
	}
	printf("holder: holding %s%s%s%s%s for %gs as pid %d\n", argv[optind],
	       use_container ? " in a container" : "", device_name ? " and device " : "",
	       device_name ? device_name : "", on_request ? ", letting go when asked" : "", seconds,
	       (int)getpid());

	/* Sleep out the time, or until the kernel asks (poll on no fds just sleeps). */
	start = now();
	for (;;) {
		struct pollfd p = {.fd = req, .events = POLLIN};
		double left = seconds - (now() - start);
		int n;

		if (left <= 0)
			break;
		n = poll(&p, req >= 0, (int)(left * 1000) + 1);
		if (n > 0) {
			eventfd_t count;

			eventfd_read(req, &count);
			printf("holder: the kernel asked for the device back after %.1fs\n",
			       now() - start);
			break;
		}
		if (n < 0 && errno != EINTR)
			return die("poll");
	}
	if (req >= 0)
		close(req);
	if (device >= 0)
		close(device);
	if (container >= 0)
		close(container);
	close(group);
	printf("holder: let go after %.1fs\n", now() - start);
	return 0;
}
