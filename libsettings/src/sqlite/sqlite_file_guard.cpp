#include "sqlite/sqlite_file_guard.hpp"

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <settings/errors.hpp>
#include <settings/log.hpp>

namespace settings::detail {

namespace {

// The -shm layout (https://sqlite.org/walformat.html): the WAL-index header's
// salts at bytes 32 and 40, then the checkpoint info with nBackfill at 96 and
// nBackfillAttempted at 128, in native byte order. A checkpoint raises
// nBackfillAttempted before it writes the database file and nBackfill after;
// restarting the WAL after a complete one changes the salts.
constexpr std::size_t shm_header_bytes = 136;
constexpr std::array<std::size_t, 4> mark_offsets{96, 128, 32, 36};

std::filesystem::path sibling(const std::filesystem::path& path, const char* suffix) {
    return std::filesystem::path(path.string() + suffix);
}

}  // namespace

SqliteFileGuard::SqliteFileGuard(std::filesystem::path path)
    : path_(std::move(path)), file_(stamp(path_)), last_(file_) {}

SqliteFileGuard::~SqliteFileGuard() {
    if (shm_fd_ >= 0) {
        close(shm_fd_);
    }
}

SqliteFileGuard::FileStamp SqliteFileGuard::stamp(const std::filesystem::path& path) {
    struct stat file {};
    if (stat(path.c_str(), &file) != 0) {
        return {};
    }
    return {true, static_cast<std::uint64_t>(file.st_dev), static_cast<std::uint64_t>(file.st_ino),
            static_cast<std::int64_t>(file.st_size),
            static_cast<std::int64_t>(file.st_mtim.tv_sec) * 1'000'000'000 + file.st_mtim.tv_nsec};
}

void SqliteFileGuard::ensure_usable() const {
    switch (state_.load()) {
        case StorageState::ok:
        case StorageState::unavailable:
            return;
        case StorageState::replaced:
            throw StorageUnavailableError(
                "the database file " + path_.string() +
                " was deleted or replaced while open; refusing to use it");
        case StorageState::corrupt:
            throw StorageUnavailableError("the database file " + path_.string() +
                                          " is damaged; restore a backup");
    }
}

std::optional<SqliteFileGuard::CheckpointMarks> SqliteFileGuard::checkpoint_marks() {
    if (shm_fd_ < 0) {
        const auto shm = sibling(path_, "-shm");
        shm_fd_ = open(shm.c_str(), O_RDONLY | O_CLOEXEC);
        if (shm_fd_ < 0) {
            return std::nullopt;
        }
        shm_ = stamp(shm);
        wal_ = stamp(sibling(path_, "-wal"));
    }
    std::array<unsigned char, shm_header_bytes> header{};
    if (pread(shm_fd_, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size())) {
        return std::nullopt;
    }
    CheckpointMarks marks{};
    for (std::size_t i = 0; i < marks.size(); ++i) {
        std::memcpy(&marks.at(i), header.data() + mark_offsets.at(i), sizeof(std::uint32_t));
    }
    return marks;
}

void SqliteFileGuard::poll() {
    if (state_.load() == StorageState::replaced) {
        return;
    }
    const std::scoped_lock lock(mutex_);
    // The marks are read on both sides of the look at the file. A checkpoint
    // that wrote the file between the last look and this one moved the marks
    // at some time between the read before the last look and the read after
    // this one, or is still under way (nBackfill behind nBackfillAttempted).
    const auto before = checkpoint_marks();
    const auto now = stamp(path_);
    const auto after = checkpoint_marks();
    if (!now.exists) {
        mark_replaced("was deleted");
    } else if (now.device != file_.device || now.inode != file_.inode) {
        mark_replaced("was replaced by another file");
    } else if (now.size != last_.size || now.modified_ns != last_.modified_ns) {
        const bool checkpointing =
            after && ((*after)[0] != (*after)[1] || after != marks_before_last_look_);
        if (after && marks_before_last_look_ && !checkpointing) {
            mark_replaced("was written by another program");
        }
    }
    last_ = now;
    marks_before_last_look_ = before;
}

void SqliteFileGuard::mark_replaced(const std::string& why) {
    state_.store(StorageState::replaced);
    log::error("database", "the database file " + path_.string() + " " + why +
                               " while open; refusing to use it until a restart");
    // Whoever opens the new file would replay our WAL into it.
    remove_if_ours(sibling(path_, "-wal"), wal_);
    remove_if_ours(sibling(path_, "-shm"), shm_);
}

void SqliteFileGuard::remove_if_ours(const std::filesystem::path& path,
                                     const FileStamp& ours) const {
    const auto there = stamp(path);
    if (ours.exists && there.exists && there.device == ours.device && there.inode == ours.inode) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
}

void SqliteFileGuard::report_corrupt(const std::string& what) {
    auto expected = StorageState::ok;
    if (state_.compare_exchange_strong(expected, StorageState::corrupt)) {
        log::error("database", "the database file " + path_.string() +
                                   " is damaged; storage is refused until it passes a check "
                                   "again (restore a backup): " +
                                   what);
    }
}

void SqliteFileGuard::report_sound() {
    auto expected = StorageState::corrupt;
    if (state_.compare_exchange_strong(expected, StorageState::ok)) {
        log::info("database", "the database file " + path_.string() + " passes its check again");
    }
}

}  // namespace settings::detail
