package io.netplane.agent.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;

/** The few libc calls the kernel package needs. Syscalls only: {@code LastErrorException} is reliable for them. */
interface LibC extends Library {
    LibC INSTANCE = NativeLibraries.load("c", LibC.class);

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_SNDBUF = 7;
    int SO_RCVTIMEO = 20;
    int SOL_NETLINK = 270;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;
    int MSG_TRUNC = 0x20;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int length) throws LastErrorException;

    int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int O_DIRECTORY = 0x10000;
    int CLONE_NEWNET = 0x40000000;
    long MS_BIND = 4096;
    long MS_REC = 16384;
    long MS_SHARED = 1 << 20;
    int MNT_DETACH = 2;
    int LOCK_EX = 2;
    int LOCK_UN = 8;

    int open(String path, int flags, int mode) throws LastErrorException;

    int flock(int fd, int operation) throws LastErrorException;

    int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;

    int umount2(String target, int flags) throws LastErrorException;

    int unshare(int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int gettid();

    /** struct utsname: six 65-byte fields on Linux. */
    int uname(byte[] utsname) throws LastErrorException;
}
