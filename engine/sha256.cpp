#include "engine/sha256.hpp"

#include "base/error.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace waymark {
namespace {

// One digest in progress; `what` names the input in messages.
class Digest {
public:
    explicit Digest(const std::string& what) : m_what(what) {
        if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1) {
            throw Error("hashing " + m_what + ": OpenSSL could not start SHA-256");
        }
    }

    void add(const void* data, std::size_t size) {
        if (EVP_DigestUpdate(m_context.get(), data, size) != 1) {
            throw Error("hashing " + m_what + ": OpenSSL's SHA-256 failed");
        }
    }

    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        if (EVP_DigestFinal_ex(m_context.get(), digest, &size) != 1) {
            throw Error("hashing " + m_what + ": OpenSSL's SHA-256 failed");
        }
        static constexpr char digits[] = "0123456789abcdef";
        std::string text;
        for (unsigned int i = 0; i < size; ++i) {
            text += digits[digest[i] >> 4];
            text += digits[digest[i] & 15];
        }
        return text;
    }

private:
    std::string m_what;
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> m_context{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

} // namespace

std::vector<unsigned char> hmac_sha256(std::span<const unsigned char> key,
                                       std::string_view message) {
    std::vector<unsigned char> mac(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
             &size) == nullptr) {
        throw Error("HMAC-SHA-256 failed (OpenSSL)");
    }
    mac.resize(size);
    return mac;
}

std::string sha256_hex(std::string_view bytes) {
    Digest digest("text");
    digest.add(bytes.data(), bytes.size());
    return digest.hex();
}

std::string sha256_of_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    Digest digest(path.string());
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        digest.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw IoError("reading " + path.string() + " failed: " + std::strerror(errno));
    }
    return digest.hex();
}

} // namespace waymark
