/* The floor under "filtered-out syscalls cost no more than untraced": the kernel's
 * cost of having any seccomp filter at all.  It times N getppid calls, installs a
 * one-instruction filter that allows everything, and times them again.
 *
 *     gcc -O2 -o /tmp/seccomp_floor bench/seccomp_floor.c && /tmp/seccomp_floor
 *
 * Any filter moves every syscall onto the kernel's syscall-work entry path, so this
 * ratio bounds from below what traced's (or strace's) filter can cost. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  long n=2000000;
  double a=now(); for(long i=0;i<n;i++) syscall(SYS_getppid); double b=now();
  struct sock_filter f[]={BPF_STMT(BPF_RET|BPF_K,SECCOMP_RET_ALLOW)};
  struct sock_fprog p={1,f};
  prctl(PR_SET_NO_NEW_PRIVS,1,0,0,0);
  if(syscall(SYS_seccomp,SECCOMP_SET_MODE_FILTER,0,&p)) {perror("seccomp");return 1;}
  double c=now(); for(long i=0;i<n;i++) syscall(SYS_getppid); double d=now();
  printf("no filter %.1f ns/syscall, allow-all filter %.1f ns/syscall, ratio %.3f\n",(b-a)/n*1e9,(d-c)/n*1e9,(d-c)/(b-a));
}
