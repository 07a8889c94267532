#pragma once
// Binary <-> text helpers for the Extended JSON codec: hex digits (ObjectId, UUID, binary
// subtype) and standard base64 with padding (RFC 4648 §4, the $binary form). Pure functions,
// any thread. Decoders never trust their input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mongosd::json {

// 0..15 for a hex digit (either case), -1 otherwise.
int hexDigitValue(char c);

// Decodes exactly 2*n hex digits from `hex` into out[0..n). False on any non-hex digit.
bool decodeHex(std::string_view hex, uint8_t* out, size_t n);

// Appends 2*n lowercase hex digits.
void appendHex(const uint8_t* data, size_t n, std::string& out);

// The decoded size of a base64 text, or -1 when the text is not canonical padded base64
// (length a multiple of 4, '=' only as the last one or two characters).
ptrdiff_t base64DecodedSize(std::string_view b64);

// Decodes `b64` (already accepted by base64DecodedSize) into `out`, which has room for
// base64DecodedSize(b64) bytes. False on a character outside the base64 alphabet.
bool decodeBase64(std::string_view b64, uint8_t* out);

// Appends the padded base64 encoding of data[0..n).
void appendBase64(const uint8_t* data, size_t n, std::string& out);

}  // namespace mongosd::json
