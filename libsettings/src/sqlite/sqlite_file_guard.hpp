#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include <settings/storage.hpp>

namespace settings::detail {

/// Tells whether the database file a process has open is still the one at its
/// path, and keeps what was found: shared by every connection of one engine.
///
/// A file deleted, renamed over (`mv`) or overwritten in place (`cp`) under the
/// process is `replaced`; one whose pages SQLite found damaged is `corrupt`. Either
/// way the connections refuse all work from then on, never checkpoint into the
/// file at its path again (see SqliteDatabase's destructor), and the process's
/// stale -wal and -shm are removed, so that whoever opens the new file does not
/// replay them into it. Thread-safe.
class SqliteFileGuard {
  public:
    /// Notes the identity of the file now at `path`.
    explicit SqliteFileGuard(std::filesystem::path path);
    ~SqliteFileGuard();
    SqliteFileGuard(const SqliteFileGuard&) = delete;
    SqliteFileGuard& operator=(const SqliteFileGuard&) = delete;

    [[nodiscard]] StorageState state() const { return state_.load(); }

    /// Throws StorageUnavailableError unless the state is `ok`.
    void ensure_usable() const;

    /// Looks at the file now (a stat of it and a 40-byte read of its -shm):
    /// gone, another file, or written by something other than SQLite's own
    /// checkpoints since the last look make it `replaced`. Cheap.
    void poll();

    /// SQLite found damaged pages (`what` says where): `corrupt`, logged once.
    void report_corrupt(const std::string& what);
    /// A corrupt file passed its check again (it was restored).
    void report_sound();

  private:
    struct FileStamp {
        bool exists = false;
        std::uint64_t device = 0;
        std::uint64_t inode = 0;
        std::int64_t size = 0;
        std::int64_t modified_ns = 0;
        friend bool operator==(const FileStamp&, const FileStamp&) = default;
    };
    // Of the -shm's checkpoint info: backfilled and attempted frames, WAL salts.
    using CheckpointMarks = std::array<std::uint32_t, 4>;

    static FileStamp stamp(const std::filesystem::path& path);
    std::optional<CheckpointMarks> checkpoint_marks();  // needs mutex_
    void mark_replaced(const std::string& why);         // needs mutex_
    void remove_if_ours(const std::filesystem::path& path, const FileStamp& ours) const;

    std::filesystem::path path_;
    std::atomic<StorageState> state_{StorageState::ok};
    std::mutex mutex_;
    FileStamp file_;  // as first seen
    FileStamp last_;  // at the last look
    FileStamp wal_;   // the process's own -wal and -shm, once seen
    FileStamp shm_;
    int shm_fd_ = -1;
    std::optional<CheckpointMarks> marks_before_last_look_;
};

}  // namespace settings::detail
