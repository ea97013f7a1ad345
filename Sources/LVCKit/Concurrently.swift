/// Work started on another thread now, whose result is collected later with `value()`.
final class BackgroundTask<T>: @unchecked Sendable {
    /// Shared with the thread, which fills in `result`; `join` makes the write visible here.
    private final class Job: @unchecked Sendable {
        var result: Result<T, Error>?
    }

    private let job = Job()
    private var thread: ThreadGroup?

    init(_ work: @escaping @Sendable () throws -> T) {
        let job = self.job
        thread = ThreadGroup(count: 1) { _ in job.result = Result { try work() } }
    }

    /// Waits for the work to finish and returns its result (or rethrows its error). Call it once:
    /// the task lets go of the result, so that it is freed as soon as the caller is done with it
    /// (a folder scan of 20,000 files is a megabyte).
    func value() throws -> T {
        if let thread {
            thread.join()
            self.thread = nil
        }
        guard let taken = job.result else { preconditionFailure("BackgroundTask.value() called twice") }
        job.result = nil
        return try taken.get()
    }

    // Dropped without `value()`: ThreadGroup's deinit waits for the work to finish.
}

/// A value computed on another thread from the moment it is made, for work that is almost always
/// needed later: the first `value()` waits for it, later ones return it again. Dropped unread, it
/// still waits for the work to finish (BackgroundTask).
final class Prefetch<T>: @unchecked Sendable {
    // @unchecked: `task` and `result` are only touched by the thread that owns the Prefetch.
    private var task: BackgroundTask<T>?
    private var result: T?

    init(_ work: @escaping @Sendable () -> T) {
        task = BackgroundTask(work)
    }

    func value() -> T {
        if let task {
            self.task = nil
            do { result = try task.value() } catch { preconditionFailure("a non-throwing prefetch threw: \(error)") }
        }
        guard let result else { preconditionFailure("Prefetch has neither a task nor a result") }
        return result
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
