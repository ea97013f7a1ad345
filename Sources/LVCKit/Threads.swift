import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Threads started together and joined together, on pthreads directly.
///
/// lvc's parallel work is a few long jobs per command (walk the folder, hash its files, compress
/// a package's entries), so a thread per job is all it needs. libdispatch's pool did the same
/// with more of the binary: its start-up, its data and blocks (decision 0022).
final class ThreadGroup: @unchecked Sendable {
    private var threads: [pthread_t] = []
    private var joined = false

    /// Starts `count` threads; thread `i` runs `work(i)`. A thread the system refuses to start
    /// (it is out of threads) has its work done here, before `init` returns.
    init(count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        threads.reserveCapacity(count)
        for worker in 0..<count {
            if let thread = Self.start({ work(worker) }) { threads.append(thread) } else { work(worker) }
        }
    }

    /// Waits until every thread has returned. Call it once.
    func join() {
        precondition(!joined, "ThreadGroup.join() called twice")
        joined = true
        for thread in threads { pthread_join(thread, nil) }
    }

    deinit {
        // Never leave threads running against state that is about to go away.
        if !joined { join() }
    }

    /// Runs `work(0)` … `work(workers - 1)` at the same time: `workers - 1` new threads and the
    /// calling one, which runs `work(0)`. Returns when all have returned.
    static func run(workers: Int, _ work: (Int) -> Void) {
        guard workers > 1 else {
            if workers == 1 { work(0) }
            return
        }
        withoutActuallyEscaping(work) { work in
            let shared = UncheckedWork(work)
            let group = ThreadGroup(count: workers - 1) { shared.work($0 + 1) }
            work(0)
            group.join()
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count` on as many threads as there are cores (the
    /// calling one among them); each thread takes the next `i` when it is done with one.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let next = Atomic<Int>(0)
        run(workers: min(max(1, System.coreCount), count)) { _ in
            while case let n = next.wrappingAdd(1, ordering: .relaxed).oldValue, n < count { body(n) }
        }
    }

    /// A new thread running `body`, or nil if the system would not start one.
    private static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(Body(body))
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let status = pthread_create(&thread, nil, { context in
            Unmanaged<Body>.fromOpaque(unwrapped(context)).takeRetainedValue().body()
            return nil
        }, box.toOpaque())
        guard status == 0 else {
            box.release()
            return nil
        }
        return thread
    }

    private final class Body {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// A closure that `run` shares with its threads; it does not outlive `run`.
    private final class UncheckedWork: @unchecked Sendable {
        let work: (Int) -> Void
        init(_ work: @escaping (Int) -> Void) { self.work = work }
    }
}

/// The start routine's argument is optional on Linux and not on Darwin.
private func unwrapped(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer { pointer! }
