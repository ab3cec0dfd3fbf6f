# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for vfio-bind

# The bus the devices are on: --platform, --bus BUS or --bus=BUS (pci if none).
function __vfio_bind_bus
    set -l words (commandline -opc)
    set -l bus pci
    for i in (seq (count $words))
        switch $words[$i]
            case --platform
                set bus platform
            case '--bus=*'
                set bus (string replace -- --bus= '' $words[$i])
            case --bus
                if test $i -lt (count $words)
                    set bus $words[(math $i + 1)]
                end
        end
    end
    echo $bus
end

# VFIO drivers registered on the bus now, and the bus's generic one.
function __vfio_bind_drivers
    set -l bus (__vfio_bind_bus)
    for d in /sys/bus/$bus/drivers/*vfio*
        basename $d
    end
    echo vfio-$bus
end

# With --id the vendor:device IDs present; else the bus's devices, and on PCI
# the network interfaces and disks they carry (vfio-bind takes those too).
function __vfio_bind_devices
    if contains -- --id (commandline -opc)
        for d in /sys/bus/pci/devices/*
            printf '%s:%s\n' (string replace 0x '' <$d/vendor) (string replace 0x '' <$d/device)
        end | sort -u
        return
    end
    set -l bus (__vfio_bind_bus)
    for d in /sys/bus/$bus/devices/*
        basename $d
    end
    if test $bus = pci
        for d in /sys/class/net/* /sys/class/block/*
            basename $d
        end
    end
end

complete -c vfio-bind -f
complete -c vfio-bind -a '(__vfio_bind_devices)'
complete -c vfio-bind -s d -l driver -x -a '(__vfio_bind_drivers)' -d 'Use this driver, no search'
complete -c vfio-bind -s n -l dry-run -d 'Print every step, do nothing'
complete -c vfio-bind -s g -l group -d 'Bind the whole IOMMU group as one'
complete -c vfio-bind -s f -l force -d 'Go ahead although the device is in use'
complete -c vfio-bind -l owner -x -a '(__fish_complete_users)' -d 'Give the VFIO nodes to USER[:GROUP]'
complete -c vfio-bind -l reset-method -x -a 'flr pm bus acpi device_specific af_flr cxl_bus' -d 'PCI reset methods, in order'
complete -c vfio-bind -s J -l jobs -x -a '1 4 16 64 256' -d 'Move at most N devices at once'
complete -c vfio-bind -s j -l json -d 'One JSON document on stdout'
complete -c vfio-bind -s q -l quiet -d 'Errors only'
complete -c vfio-bind -s v -l verbose -d 'Print each step as it is done'
complete -c vfio-bind -l unbind -d 'Hand back to the host driver, forget'
complete -c vfio-bind -l list -d 'List devices, drivers, groups, VFIO choice'
complete -c vfio-bind -l restore -d 'Re-apply saved bindings'
complete -c vfio-bind -l no-save -d 'Bind for now only'
complete -c vfio-bind -l id -d 'Arguments are VENDOR:DEVICE IDs'
complete -c vfio-bind -l platform -d 'Devices on the platform bus'
complete -c vfio-bind -l bus -x -a '(ls /sys/bus)' -d 'Devices on this bus'
complete -c vfio-bind -l class -x -a 'net storage gpu multimedia usb crypto accel bridge' -d 'With --list: one kind'
complete -c vfio-bind -l udev-export -d 'A saved binding for udev'
complete -c vfio-bind -l udev-owner -d 'The owner of a VFIO node, for udev'
complete -c vfio-bind -l initramfs -d 'With --restore: from the initramfs'
complete -c vfio-bind -l initramfs-plan -d 'What an initramfs needs'
complete -c vfio-bind -s h -l help -d 'Show the help'
complete -c vfio-bind -s V -l version -d 'Show the version'
