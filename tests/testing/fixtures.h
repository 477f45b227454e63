// Shared test data: valid parties and cases that tests then break one field at a time.
#ifndef ODR_TESTS_TESTING_FIXTURES_H_
#define ODR_TESTS_TESTING_FIXTURES_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/domain/types.h"

namespace odr::testing {

// The first Monday-Friday at hour:minute China time (UTC+8) after `after`: inside the default
// working hours when 09:00-11:00 or 13:30-16:30.
inline absl::Time NextWeekdayAt(absl::Time after, int hour, int minute) {
  const absl::TimeZone china = absl::FixedTimeZone(8 * 3600);
  for (absl::CivilDay d = absl::ToCivilDay(after, china);; ++d) {
    const absl::Weekday w = absl::GetWeekday(d);
    if (w == absl::Weekday::saturday || w == absl::Weekday::sunday) continue;
    const absl::Time t =
        absl::FromCivil(absl::CivilMinute(d.year(), d.month(), d.day(), hour, minute), china);
    if (t > after) return t;
  }
}

// Valid resident ID numbers (check digits computed) and a unified social credit code.
inline constexpr char kIdZhang[] = "110101199003074514";
inline constexpr char kIdLi[] = "330681198506120020";
inline constexpr char kIdWang[] = "330681199211031236";
inline constexpr char kUsccHospital[] = "12330681470000000E";

// The same parties as flags of `odr case create` (--applicant, --respondent, --agent).
inline const std::string kCliApplicant =
    std::string("name=张三;id=") + kIdZhang + ";phone=13800138000;address=zhangsan@example.com";
inline const std::string kCliHospital =
    std::string("kind=legal;name=诸暨市人民医院;id-type=uscc;id=") + kUsccHospital +
    ";phone=0575-87000000;address=浙江省诸暨市暨阳街道";
inline const std::string kCliHospitalLawyer =
    std::string("of=respondent:1;name=李律师;id=") + kIdLi +
    ";phone=13900000000;address=lawyer@example.com;special=yes";

inline domain::Party Applicant() {
  domain::Party p;
  p.kind = domain::PartyKind::kNaturalPerson;
  p.name = "张三";
  p.id_document_type = domain::IdDocumentType::kResidentIdCard;
  p.id_number = kIdZhang;
  p.phone = "13800138000";
  p.service_address = "zhangsan@example.com";
  return p;
}

inline domain::Party Hospital() {
  domain::Party p;
  p.kind = domain::PartyKind::kLegalPerson;
  p.name = "诸暨市人民医院";
  p.id_document_type = domain::IdDocumentType::kUnifiedSocialCreditCode;
  p.id_number = kUsccHospital;
  p.phone = "0575-87000000";
  p.service_address = "浙江省诸暨市暨阳街道";
  domain::Agent a;
  a.name = "李律师";
  a.id_document_type = domain::IdDocumentType::kResidentIdCard;
  a.id_number = kIdLi;
  a.phone = "+86 139 0000 0000";
  a.service_address = "lawyer@example.com";
  a.special_authority = true;  // may sign and apply for confirmation (CPL Art. 62)
  p.agents.push_back(a);
  return p;
}

inline domain::CaseData MedicalCase() {
  domain::CaseData c;
  c.dispute_type = domain::DisputeType::kMedical;
  c.applicants = {Applicant()};
  c.respondents = {Hospital()};
  c.summary = "术后感染，申请人认为医院存在过错。";
  c.claims = "赔偿医疗费及误工费共计两万元。";
  c.amount_fen = 2'000'000;
  c.region_code = "330681";
  c.organization_id = "org-1";
  return c;
}

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_FIXTURES_H_
