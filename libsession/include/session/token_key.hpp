#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace session {

/// A 256-bit AES key for encrypting OAuth tokens at rest.
class TokenKey {
  public:
    static constexpr std::size_t size = 32;

    /// The key from its base64 text (surrounding whitespace ignored); nothing unless
    /// the text decodes to exactly 32 bytes.
    static std::optional<TokenKey> from_base64(std::string_view text);

    explicit TokenKey(const std::array<unsigned char, size>& bytes) : bytes_(bytes) {}
    [[nodiscard]] const std::array<unsigned char, size>& bytes() const { return bytes_; }

  private:
    std::array<unsigned char, size> bytes_;
};

}  // namespace session
