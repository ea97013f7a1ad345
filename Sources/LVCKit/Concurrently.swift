import Dispatch

/// Runs `first` on another thread while `second` runs on this one, and returns both results
/// (rethrowing the first error, `first`'s before `second`'s). Used where two independent reads
/// each take milliseconds, such as decoding `$LATEST` while the folder is being walked.
func concurrently<A, B>(_ first: @escaping @Sendable () throws -> A, _ second: () throws -> B) throws -> (A, B) {
    let box = ResultBox<A>()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global(qos: .userInitiated).async {
        box.result = Result { try first() }
        done.signal()
    }
    let b = Result { try second() }
    done.wait()
    return (try box.result!.get(), try b.get())
}

/// Written by one thread before a semaphore is signalled, read by another after waiting on it.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
