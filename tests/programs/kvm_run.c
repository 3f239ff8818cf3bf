/* A one-vcpu KVM guest in real mode, as strace's ioctl_kvm_run test runs one: it
 * writes a byte to port 0x3f8, then halts, so its two KVM_RUN calls exit with
 * KVM_EXIT_IO and KVM_EXIT_HLT.  Exits 77 where /dev/kvm cannot be used. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static const unsigned char code[] = {
    0xba, 0xf8, 0x03, /* mov $0x3f8, %dx */
    0xb0, 0x0a,       /* mov $'\n', %al */
    0xee,             /* out %al, (%dx) */
    0xf4,             /* hlt */
};

int main(void) {
    int kvm = open("/dev/kvm", O_RDWR);
    if (kvm < 0)
        return 77;
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *memory = mmap(NULL, page, PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (vm < 0 || memory == MAP_FAILED)
        return 77;
    memcpy(memory, code, sizeof code);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0x1000, .memory_size = page,
        .userspace_addr = (unsigned long) memory,
    };
    int vcpu = -1;
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0
        || (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
        return 77;
    int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    struct kvm_sregs sregs;
    if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
        return 77;
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    struct kvm_regs regs = {.rip = 0x1000, .rflags = 0x2};
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
        return 77;
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0)
            return 1;
        if (run->exit_reason != KVM_EXIT_IO)
            return run->exit_reason == KVM_EXIT_HLT ? 0 : 1;
    }
}
