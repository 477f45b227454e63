// A StatementSigner with a fixed fake signature, for storage tests that are not about signatures.
#ifndef ODR_TESTS_TESTING_FAKE_SIGNER_H_
#define ODR_TESTS_TESTING_FAKE_SIGNER_H_

#include <string>

#include "server/domain/agreement.h"

namespace odr::testing {

class FakeSigner final : public domain::StatementSigner {
 public:
  absl::StatusOr<std::string> Sign(absl::string_view) const override {
    return std::string(64, 's');
  }
  std::string KeyId() const override { return "0123456789abcdef"; }
  std::string PublicKey() const override { return std::string(32, 'k'); }
};

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_FAKE_SIGNER_H_
