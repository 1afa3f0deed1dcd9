import Glibc

/// The C library's text for an `errno` value ("No such file or directory"): the one place that
/// turns a failed system call into words for an error message.
public func errnoMessage(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
