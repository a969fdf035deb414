#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <session/token_key.hpp>

namespace session::detail {

/// Seals OAuth tokens for storage. With a key: AES-256-GCM with a random 96-bit
/// nonce, bound to the row and column it is stored in (additional data), written
/// as `enc:v1:` + base64(nonce | ciphertext | tag). Without a key: the token as is.
class TokenCipher {
  public:
    explicit TokenCipher(const std::optional<TokenKey>& key) : key_(key) {}

    [[nodiscard]] std::string seal(std::string_view token, std::string_view context) const;
    /// The token, or nothing when it cannot be opened (wrong key, no key for an
    /// encrypted value, damaged text).
    [[nodiscard]] std::optional<std::string> open(std::string_view stored,
                                                  std::string_view context) const;

    /// Whether a key is set (else `seal` stores tokens as they are).
    [[nodiscard]] bool has_key() const { return key_.has_value(); }
    /// Whether a stored value is sealed (by any key), not a plain token.
    [[nodiscard]] static bool is_sealed(std::string_view stored);

  private:
    std::optional<TokenKey> key_;
};

}  // namespace session::detail
