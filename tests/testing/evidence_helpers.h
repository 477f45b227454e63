// Helpers of the evidence tests: test bytes, their SHA-256, files, and a party for a case.
#ifndef ODR_TESTS_TESTING_EVIDENCE_HELPERS_H_
#define ODR_TESTS_TESTING_EVIDENCE_HELPERS_H_

#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "odr/v1/case.pb.h"
#include "odr/v1/roster.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/odrd_process.h"

namespace odr::testing {

// SHA-256 of `data`, lower-case hex.
inline std::string Sha256Hex(const std::string& data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(d), n));
}

// `n` pseudo-random bytes, the same for the same seed.
inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// The whole file ("" if it cannot be read).
inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The citizens of ZhangAgainstLi and an outsider, as principals "zhang", "li" and "wang" of the
// data dir: their API keys by principal id.
inline std::map<std::string, std::string> CreateZhangLiWang(const std::string& data_dir) {
  return {{"zhang", CreatePrincipal(data_dir, "zhang", "citizen", {"--id-number", kIdZhang})},
          {"li", CreatePrincipal(data_dir, "li", "citizen", {"--id-number", kIdLi})},
          {"wang", CreatePrincipal(data_dir, "wang", "citizen", {"--id-number", kIdWang})}};
}

// A natural person with a resident ID card, for the parties of a test case.
inline v1::Party Person(const std::string& name, const std::string& id_number,
                        const std::string& phone) {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  p.set_name(name);
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  p.set_id_number(id_number);
  p.set_phone(phone);
  p.set_service_address(name + "@example.com");
  return p;
}

// A medical dispute of 张三 (kIdZhang) against 李四 (kIdLi) before organizations/`org`.
inline v1::Case ZhangAgainstLi(const std::string& org) {
  v1::Case c;
  c.set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  *c.add_applicants() = Person("张三", kIdZhang, "13800138000");
  *c.add_respondents() = Person("李四", kIdLi, "13900139000");
  c.set_summary("术后感染。");
  c.set_claims("赔偿两万元。");
  c.set_region_code("330681");
  c.mutable_source()->mutable_citizen_application();
  c.set_organization("organizations/" + org);
  return c;
}

// Creating organizations/`id`, a medical mediation committee in Zhuji.
inline v1::CreateOrganizationRequest ZhujiOrganization(const std::string& id) {
  v1::CreateOrganizationRequest req;
  req.set_organization_id(id);
  req.mutable_organization()->set_display_name("诸暨市医疗纠纷人民调解委员会");
  req.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
  req.mutable_organization()->set_region_code("330681");
  return req;
}

// Creating mediator `mediator_id` of organizations/`org` in Zhuji for account `principal`: one
// specialty (medical), Mandarin, full time, 10 cases at a time.
inline v1::CreateMediatorRequest ZhujiMediator(const std::string& org,
                                               const std::string& mediator_id,
                                               const std::string& principal) {
  v1::CreateMediatorRequest m;
  m.set_parent("organizations/" + org);
  m.set_mediator_id(mediator_id);
  v1::Mediator* body = m.mutable_mediator();
  body->set_display_name("调解员");
  body->add_specialties(v1::DISPUTE_TYPE_MEDICAL);
  body->add_languages("zh");
  body->set_region_code("330681");
  body->set_employment(v1::Mediator::EMPLOYMENT_FULL_TIME);
  body->set_max_concurrent_cases(10);
  body->set_principal("principals/" + principal);
  body->mutable_private_details()->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  body->mutable_private_details()->set_id_number("330681197001010016");
  body->mutable_private_details()->set_phone("13600000000");
  return m;
}

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_EVIDENCE_HELPERS_H_
