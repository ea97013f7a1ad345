import Synchronization
import Testing
@testable import LVCKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// lvc's own threads (pthreads, no libdispatch): every piece of work runs once, the results are
/// visible after the join, and errors come back to the caller.
@Suite struct ThreadsTests {
    @Test func runGivesEachWorkerItsOwnNumberOnce() {
        for workers in [0, 1, 2, 7] {
            let seen = Mutex([Int]())
            ThreadGroup.run(workers: workers) { worker in seen.withLock { $0.append(worker) } }
            #expect(seen.withLock { $0.sorted() } == Array(0..<workers))
        }
    }

    @Test func forEachVisitsEveryIndexOnce() {
        for count in [0, 1, 3, 1000] {
            let visits = Mutex([Int](repeating: 0, count: count))
            ThreadGroup.forEach(count) { i in visits.withLock { $0[i] += 1 } }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: count))
        }
    }

    @Test func aGroupsWorkIsDoneWhenJoinReturns() {
        final class Slots: @unchecked Sendable { var values = [Int](repeating: 0, count: 4) }
        let slots = Slots()
        let group = ThreadGroup(count: 4) { i in slots.values[i] = (i + 1) * 10 }
        group.join()
        #expect(slots.values == [10, 20, 30, 40])
    }

    struct Failure: Error, Equatable { let code: Int }

    @Test func backgroundTasksReturnTheirResultOrTheirError() throws {
        let task = BackgroundTask { (1...1000).reduce(0, +) }
        #expect(try task.value() == 500_500)
        let failing = BackgroundTask { () throws -> Int in throw Failure(code: 7) }
        #expect(throws: Failure(code: 7)) { try failing.value() }
        let (a, b) = try concurrently({ "first" }) { "second" }
        #expect(a == "first" && b == "second")
    }

    /// A BackgroundTask or a Prefetch dropped without being read still waits for its work.
    @Test func droppedWorkIsWaitedFor() {
        func finishesBeforeDrop(_ start: (@escaping @Sendable () -> Void) -> Void) -> Bool {
            let finished = Atomic<Bool>(false)
            start {
                usleep(20_000)
                finished.store(true, ordering: .relaxed)
            }
            return finished.load(ordering: .relaxed)
        }
        #expect(finishesBeforeDrop { work in _ = BackgroundTask(work) })
        #expect(finishesBeforeDrop { work in _ = Prefetch(work) })
    }

    @Test func aPrefetchRunsOnceAndGivesItsValueToEveryRead() {
        let runs = Atomic<Int>(0)
        let prefetch = Prefetch { () -> [Int] in
            runs.add(1, ordering: .relaxed)
            return Array(1...5)
        }
        #expect(prefetch.value() == [1, 2, 3, 4, 5])
        #expect(prefetch.value() == [1, 2, 3, 4, 5])
        #expect(runs.load(ordering: .relaxed) == 1)
    }
}
