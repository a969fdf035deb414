#include "token_cipher.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

#include "base64.hpp"
#include "random_bytes.hpp"

namespace session::detail {

namespace {

constexpr std::string_view prefix = "enc:v1:";
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) {
        throw std::runtime_error("cannot allocate a cipher context");
    }
    return ctx;
}

const unsigned char* bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* bytes(std::string& text) {
    return reinterpret_cast<unsigned char*>(text.data());
}

}  // namespace

std::string TokenCipher::seal(std::string_view token, std::string_view context) const {
    if (!key_) {
        return std::string(token);
    }
    const std::string nonce = random_bytes(nonce_size);
    std::string sealed = nonce;
    sealed.resize(nonce_size + token.size() + tag_size);
    auto ctx = new_context();
    int length = 0;
    const bool ok =
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_->bytes().data(),
                           bytes(nonce)) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(context),
                          static_cast<int>(context.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), bytes(sealed) + nonce_size, &length, bytes(token),
                          static_cast<int>(token.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), bytes(sealed) + nonce_size + length, &length) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                            bytes(sealed) + nonce_size + token.size()) == 1;
    if (!ok) {
        throw std::runtime_error("token encryption failed");
    }
    return std::string(prefix) + base64_encode(sealed);
}

bool TokenCipher::is_sealed(std::string_view stored) {
    return stored.starts_with(prefix);
}

std::optional<std::string> TokenCipher::open(std::string_view stored,
                                             std::string_view context) const {
    if (!stored.starts_with(prefix)) {
        // Stored before a key was configured: kept as it is until rewritten.
        return std::string(stored);
    }
    if (!key_) {
        return std::nullopt;
    }
    const auto sealed = base64_decode(stored.substr(prefix.size()));
    if (!sealed || sealed->size() < nonce_size + tag_size) {
        return std::nullopt;
    }
    const std::string_view all(*sealed);
    const auto nonce = all.substr(0, nonce_size);
    const auto ciphertext = all.substr(nonce_size, all.size() - nonce_size - tag_size);
    std::string tag(all.substr(all.size() - tag_size));
    std::string plain(ciphertext.size(), '\0');
    auto ctx = new_context();
    int length = 0;
    const bool ok =
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_->bytes().data(),
                           bytes(nonce)) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(context),
                          static_cast<int>(context.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), bytes(plain), &length, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + length, &length) == 1;
    if (!ok) {
        return std::nullopt;
    }
    return plain;
}

}  // namespace session::detail
