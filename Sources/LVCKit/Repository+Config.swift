import LVCStore

extension Repository {
    /// `lvc config KEY VALUE`: changes one setting of `$LATEST` (validated as AWS validates it).
    public func setConfiguration(_ key: String, to value: String) throws {
        try withLatestLock("change the configuration") { latest in
            try latest.configuration.set(key, to: value)
        }
    }

    /// `lvc config --unset KEY`.
    public func unsetConfiguration(_ key: String) throws {
        try withLatestLock("change the configuration") { latest in
            try latest.configuration.unset(key)
        }
    }
}
