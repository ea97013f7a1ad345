import Dispatch

/// Work started on another thread now, whose result is collected later with `value()`.
final class BackgroundTask<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)
    private var collected = false

    init(_ work: @escaping @Sendable () throws -> T) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.result = Result { try work() }
            self.done.signal()
        }
    }

    /// Waits for the work to finish and returns its result (or rethrows its error). Call it once:
    /// the task lets go of the result, so that it is freed as soon as the caller is done with it
    /// (a folder scan of 20,000 files is a megabyte).
    func value() throws -> T {
        if !collected {
            done.wait()
            collected = true
        }
        guard let taken = result else { preconditionFailure("BackgroundTask.value() called twice") }
        result = nil
        return try taken.get()
    }

    deinit {
        // Never leave the work running against state that is about to go away.
        if !collected { done.wait() }
    }
}

/// Runs `first` on another thread while `second` runs on this one, and returns both results
/// (rethrowing the first error, `first`'s before `second`'s). Used where two independent reads
/// each take milliseconds, such as decoding `$LATEST` while the folder is being walked.
func concurrently<A, B>(_ first: @escaping @Sendable () throws -> A, _ second: () throws -> B) throws -> (A, B) {
    let task = BackgroundTask(first)
    let b = Result { try second() }
    return (try task.value(), try b.get())
}
