// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A VFIO variant driver for the vfio-bind VM tests, and for nothing else.
 *
 * It adds no device-specific behaviour: every vfio_device op is vfio_pci_core's. What
 * matters is what a real variant (mlx5_vfio_pci, hisi_acc_vfio_pci ...) looks like to
 * userspace: a pci_driver on vfio_pci_core whose id table entry is flagged
 * override-only, so modpost emits a "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*" alias
 * that is more specific than vfio_pci's catch-all, and the PCI core never binds it to
 * a device unless that device's driver_override names it.
 *
 * The module is e1000e_vfio_pci but the driver is e1000e-vfio-pci, as with vfio_pci and
 * vfio-pci: tools must map one to the other through /sys/module/MODULE/drivers/.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <linux/vfio_pci_core.h>

static int e1000e_vfio_pci_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops e1000e_vfio_pci_ops = {
	.name = "e1000e-vfio-pci",
	.init = vfio_pci_core_init_dev,
	.release = vfio_pci_core_release_dev,
	.open_device = e1000e_vfio_pci_open_device,
	.close_device = vfio_pci_core_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	/*
	 * iommufd, as vfio-pci has them: a kernel built with CONFIG_IOMMUFD refuses to
	 * register a device whose ops lack them (-EINVAL, with a warning). Without it
	 * (Debian's 6.12) they are NULL.
	 */
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
#endif
};

static int e1000e_vfio_pci_probe(struct pci_dev *pdev,
				 const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev,
				 &e1000e_vfio_pci_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	dev_set_drvdata(&pdev->dev, vdev);
	/* Fails (-EINVAL) when the device has no IOMMU group, as vfio-pci does. */
	ret = vfio_pci_core_register_device(vdev);
	if (ret) {
		vfio_put_device(&vdev->vdev);
		return ret;
	}
	return 0;
}

static void e1000e_vfio_pci_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id e1000e_vfio_pci_table[] = {
	/* 82574L, the NIC behind QEMU's "-device e1000e". */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10d3) },
	{}
};
MODULE_DEVICE_TABLE(pci, e1000e_vfio_pci_table);

static struct pci_driver e1000e_vfio_pci_driver = {
	.name = "e1000e-vfio-pci",
	.id_table = e1000e_vfio_pci_table,
	.probe = e1000e_vfio_pci_probe,
	.remove = e1000e_vfio_pci_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	/* VFIO owns the device's DMA; the IOMMU core must not set up kernel DMA for it. */
	.driver_managed_dma = true,
};
module_pci_driver(e1000e_vfio_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only VFIO variant driver for the e1000e NIC (vfio-bind VM tests)");
