#pragma once

#include <filesystem>
#include <string>

namespace test {

/// A fresh folder under the system temp folder, removed with everything in it
/// when the object goes away.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
        return path_ / name;
    }

  private:
    std::filesystem::path path_;
};

/// The bytes of a file.
std::string read_bytes(const std::filesystem::path& path);
/// Writes `bytes` to a file, replacing it.
void write_bytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace test
