#include "server/domain/confirmation_review.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"
#include "server/domain/state_machine.h"
#include "server/domain/status_macros.h"
#include "server/domain/working_calendar.h"

namespace odr::domain {
namespace {

bool UnderReview(const Confirmation& f) {
  return f.accept_time.has_value() && (f.state == ConfirmationState::kAccepted ||
                                       f.state == ConfirmationState::kMaterialsRequested);
}

absl::Status NotUnderReview(const Confirmation& f, absl::string_view what) {
  return TransitionError(
      ApiConfirmationStateName(f.state),
      absl::StrCat("cannot ", what, " ", f.name(), " in ", ApiConfirmationStateName(f.state),
                   f.accept_time ? "" : " (not yet filed)",
                   "; only an application the court filed and has not ruled on (STATE_ACCEPTED "
                   "or STATE_MATERIALS_REQUESTED)"));
}

bool Ruled(ConfirmationState s) {
  return s == ConfirmationState::kRuledValid || s == ConfirmationState::kRuledRejected;
}

}  // namespace

bool WithdrawalNeedsRuling(const Confirmation& f) { return f.accept_time.has_value(); }

absl::Status RequestWithdrawal(Confirmation* f, std::vector<std::string> parties,
                               absl::string_view reason, absl::Time now) {
  if (!UnderReview(*f)) return NotUnderReview(*f, "request the withdrawal of");
  if (f->withdrawal_request) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "WITHDRAWAL_PENDING",
                     absl::StrCat(f->name(),
                                  " already has a withdrawal request before the court (CPL "
                                  "Interpretation Art. 357)"));
  }
  f->withdrawal_request = WithdrawalRequest{std::move(parties), std::string(reason), now};
  return absl::OkStatus();
}

absl::StatusOr<std::string> RuleOnWithdrawal(Confirmation* f, WithdrawalRuling ruling,
                                             absl::string_view note,
                                             absl::string_view ruling_number, absl::Time now) {
  if (!UnderReview(*f)) return NotUnderReview(*f, "rule on the withdrawal of");
  if (ruling != WithdrawalRuling::kDeem && !f->withdrawal_request) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "NO_WITHDRAWAL_REQUEST",
                     absl::StrCat(f->name(),
                                  " has no withdrawal request to rule on; without one the court "
                                  "may only treat it as withdrawn (CPL Interpretation Art. 357)"));
  }
  if (ruling != WithdrawalRuling::kDeny && ruling_number.empty()) {
    return InvalidFieldError("ruling_number",
                             "is required: the ruling that grants or deems the withdrawal");
  }
  if (ruling == WithdrawalRuling::kDeny) {
    f->withdrawal_request.reset();
    f->update_time = now;
    return absl::StrCat("the court did not grant the withdrawal of ", f->name(),
                        "; its review goes on (CPL Interpretation Art. 357)",
                        note.empty() ? "" : ": ", note);
  }
  if (ruling == WithdrawalRuling::kDeem) {
    const bool materials_late = f->state == ConfirmationState::kMaterialsRequested &&
                                f->materials_due.has_value() && *f->materials_due < now;
    const bool appearance_missed = f->appearance.has_value() && f->appearance->time < now;
    if (!materials_late && !appearance_missed) {
      return MakeError(
          absl::StatusCode::kFailedPrecondition, "NOT_DEFAULTED",
          absl::StrCat(f->name(),
                       " may be treated as withdrawn only when the parties missed the court's "
                       "deadline for materials or the time to appear together (CPL "
                       "Interpretation Art. 357 para. 2)"));
    }
  }
  ODR_ASSIGN_OR_RETURN(f->state,
                       NextConfirmationState(*f, ruling == WithdrawalRuling::kGrant
                                                     ? ConfirmationAction::kGrantWithdrawal
                                                     : ConfirmationAction::kDeemWithdrawn));
  f->withdrawal_kind =
      ruling == WithdrawalRuling::kGrant ? WithdrawalKind::kGranted : WithdrawalKind::kDeemed;
  f->withdrawal_request.reset();
  f->decision_time = now;
  f->ruling_number = std::string(ruling_number);
  f->court_note = std::string(note);
  f->update_time = now;
  return absl::StrCat(
      ruling == WithdrawalRuling::kGrant
          ? "the court granted the withdrawal of the application by ruling "
          : "the court treated the application as withdrawn (the parties did not supply the "
            "materials or appear in time) by ruling ",
      ruling_number, " (CPL Interpretation Art. 357)", note.empty() ? "" : ": ", note);
}

absl::Status CheckMaterialsDueDays(int due_days) {
  if (due_days < 1 || due_days > kMaxMaterialsDueDays) {
    return InvalidFieldError(
        "due_days", absl::StrCat("must be 1 to ", kMaxMaterialsDueDays,
                                 ": the days the parties have to supply the materials (CPL "
                                 "Interpretation Arts. 354, 356)"));
  }
  return absl::OkStatus();
}

absl::Status CallParties(Confirmation* f, absl::Time time, absl::string_view place,
                         absl::Time now) {
  if (time <= now) return InvalidFieldError("appearance_time", "must be in the future");
  if (place.empty()) return InvalidFieldError("place", "is required: where the parties appear");
  if (!UnderReview(*f)) return NotUnderReview(*f, "call the parties of");
  f->appearance = Appearance{time, std::string(place), now};
  f->update_time = now;
  return absl::OkStatus();
}

absl::Status ExtendRuling(Confirmation* f, int days, absl::string_view approval, absl::Time now) {
  if (days < 1 || days > kMaxRulingExtensionDays) {
    return InvalidFieldError("days", absl::StrCat("must be 1 to ", kMaxRulingExtensionDays));
  }
  if (approval.empty()) {
    return InvalidFieldError("approval",
                             "is required: the court president's approval of the extension (CPL "
                             "Art. 187)");
  }
  if (!UnderReview(*f)) return NotUnderReview(*f, "extend the ruling period of");
  f->ruling_extensions.push_back({days, std::string(approval), now});
  f->update_time = now;
  return absl::OkStatus();
}

absl::Status RecordRulingService(Confirmation* f, absl::Time served, absl::Time now) {
  if (!Ruled(f->state)) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "NOT_RULED",
                     absl::StrCat(f->name(), " is ", ApiConfirmationStateName(f->state),
                                  "; the service of a ruling is recorded once the court ruled "
                                  "(STATE_RULED_VALID or STATE_RULED_REJECTED)"));
  }
  if (f->ruling_service_time) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "ALREADY_SERVED",
                     absl::StrCat("the ruling on ", f->name(), " was served already"));
  }
  if (served > now) return InvalidFieldError("service_time", "must not be in the future");
  if (f->decision_time && served < *f->decision_time) {
    return InvalidFieldError("service_time", "must not be before the ruling");
  }
  f->ruling_service_time = served;
  f->update_time = now;
  return absl::OkStatus();
}

absl::Status GrantPartyTime(Confirmation* f, const Case& c, PartyTimeExtension e, absl::Time now) {
  const std::vector<std::string> parties = AllPartyRefs(c);
  if (std::find(parties.begin(), parties.end(), e.party) == parties.end()) {
    return InvalidFieldError("party", e.party.empty()
                                          ? "is required: the party who applied"
                                          : absl::StrCat(e.party, " is not a party of the case"));
  }
  if (e.reason.empty()) {
    return InvalidFieldError("reason", "is required: the party's good reason (CPL Art. 86)");
  }
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  if (e.obstacle_end > today)
    return InvalidFieldError("obstacle_end_date", "must not be in the future");
  std::optional<absl::Time> current;
  if (e.period == PartyPeriod::kMaterials) {
    if (f->state == ConfirmationState::kMaterialsRequested) current = f->materials_due;
  } else if (Ruled(f->state)) {
    current = f->objection_due;
  }
  if (!current) {
    return MakeError(
        absl::StatusCode::kFailedPrecondition, "NO_SUCH_PERIOD",
        absl::StrCat(f->name(), " is ", ApiConfirmationStateName(f->state),
                     e.period == PartyPeriod::kMaterials
                         ? "; only the deadline for materials the court asked for "
                           "(STATE_MATERIALS_REQUESTED) is extended"
                         : "; the objection period runs once the ruling's service is recorded"));
  }
  if (today - e.obstacle_end > kObstacleDays) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "APPLICATION_TOO_LATE",
                     absl::StrCat("a party late for a good reason applies within ", kObstacleDays,
                                  " days of the obstacle's end (CPL Art. 86); that was until ",
                                  absl::FormatCivilTime(e.obstacle_end + kObstacleDays)));
  }
  const absl::CivilDay last = absl::ToCivilDay(*current - absl::Seconds(1), ChinaTime());
  if (e.until <= last || e.until < today) {
    return InvalidFieldError("until_date",
                             absl::StrCat("must be after the current last day, ",
                                          absl::FormatCivilTime(last), ", and not before today"));
  }
  if (e.until - today > kMaxPartyTimeDays) {
    return InvalidFieldError(
        "until_date", absl::StrCat("must be at most ", kMaxPartyTimeDays, " days after today"));
  }
  e.time = now;
  f->party_time_extensions.push_back(std::move(e));
  f->update_time = now;
  return absl::OkStatus();
}

absl::Time InterestedPersonObjectionDue(absl::CivilDay known) {
  const absl::CivilMonth m = absl::CivilMonth(known) + kInterestedPersonMonths;
  // The same day of the month, or the month's last day when it has none (CPL Art. 85).
  absl::CivilDay day(m.year(), m.month(), known.day());
  if (day.month() != m.month()) day = absl::CivilDay(m.year(), m.month() + 1, 1) - 1;
  return WorkingCalendar::EndOfDay(day);
}

absl::StatusOr<const Objection*> FileObjection(Confirmation* f, Objection o, absl::Time now) {
  if (!Ruled(f->state)) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "NOT_RULED",
                     absl::StrCat(f->name(), " is ", ApiConfirmationStateName(f->state),
                                  "; an objection is to the court's ruling (CPL Interpretation "
                                  "Art. 372)"));
  }
  if (o.reason.empty()) return InvalidFieldError("reason", "is required: why the ruling is wrong");
  if (o.party.empty() == o.interested_person.empty()) {
    return InvalidFieldError("party", "exactly one of party and interested_person is required");
  }
  if (!o.party.empty()) {
    if (f->objection_due && now > *f->objection_due) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "OBJECTION_TOO_LATE",
                       absl::StrCat("a party objects within ", kObjectionDays,
                                    " days of receiving the ruling (CPL Interpretation Art. "
                                    "372); that was until ",
                                    DueDayText(*f->objection_due)));
    }
  } else {
    if (f->state != ConfirmationState::kRuledValid) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "NOT_RULED",
                       "an interested person objects to a ruling that confirms the agreement "
                       "(CPL Interpretation Art. 372)");
    }
    if (!o.harm_known_date) {
      return InvalidFieldError("harm_known_date",
                               "is required: the day the person knew, or ought to have known, of "
                               "the harm");
    }
    if (WorkingCalendar::EndOfDay(*o.harm_known_date) - absl::Hours(24) > now) {
      return InvalidFieldError("harm_known_date", "must not be in the future");
    }
    const absl::Time due = InterestedPersonObjectionDue(*o.harm_known_date);
    if (now > due) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "OBJECTION_TOO_LATE",
                       absl::StrCat("an interested person objects within ", kInterestedPersonMonths,
                                    " months of knowing of the harm (CPL Interpretation Art. "
                                    "372, a fixed period); that was until ",
                                    DueDayText(due)));
    }
  }
  for (const Objection& e : f->objections) {
    if (e.decision == ObjectionDecision::kPending && e.party == o.party &&
        e.interested_person == o.interested_person) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "OBJECTION_PENDING",
                       absl::StrCat("objection ", e.id, " of the same objector awaits the court"));
    }
  }
  o.id = absl::StrCat(f->objections.size() + 1);
  o.file_time = now;
  o.decision = ObjectionDecision::kPending;
  f->objections.push_back(std::move(o));
  f->update_time = now;
  return &f->objections.back();
}

absl::StatusOr<ObjectionEffect> DecideObjection(Confirmation* f, absl::string_view objection_id,
                                                bool upheld, absl::string_view note,
                                                absl::string_view ruling_number,
                                                CaseState case_state, absl::Time now) {
  auto it = std::find_if(f->objections.begin(), f->objections.end(),
                         [&](const Objection& o) { return o.id == objection_id; });
  if (it == f->objections.end()) {
    return MakeError(absl::StatusCode::kNotFound, "OBJECTION_NOT_FOUND",
                     absl::StrCat(f->name(), " has no objection ", objection_id));
  }
  if (it->decision != ObjectionDecision::kPending) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "OBJECTION_DECIDED",
                     absl::StrCat("objection ", objection_id, " was decided already"));
  }
  if (ruling_number.empty()) {
    return InvalidFieldError("ruling_number", "is required: the ruling that decides it");
  }
  ObjectionEffect effect = ObjectionEffect::kNone;
  if (upheld) {
    if (f->state == ConfirmationState::kRuledValid) {
      ODR_ASSIGN_OR_RETURN(f->state, NextConfirmationState(*f, ConfirmationAction::kRevoke));
      effect = ObjectionEffect::kRevoked;
    } else if (f->state == ConfirmationState::kRuledRejected) {
      if (case_state != CaseState::kSettled) {
        return MakeError(absl::StatusCode::kFailedPrecondition, "PARTIES_MEDIATE_AGAIN",
                         "the parties went back to mediation after the rejection; the court no "
                         "longer rules on the old agreement");
      }
      ODR_ASSIGN_OR_RETURN(f->state, NextConfirmationState(*f, ConfirmationAction::kReopen));
      f->rejection_grounds.clear();
      f->mediate_again_consented.clear();
      effect = ObjectionEffect::kReopened;
    } else {
      return NotUnderReview(*f, "uphold an objection to");
    }
  }
  it->decision = upheld ? ObjectionDecision::kUpheld : ObjectionDecision::kDismissed;
  it->decision_note = std::string(note);
  it->decision_ruling_number = std::string(ruling_number);
  it->decision_time = now;
  f->update_time = now;
  return effect;
}

absl::StatusOr<std::vector<std::string>> ConsentToMediateAgain(
    Confirmation* f, const Case& c, const std::vector<std::string>& parties) {
  if (f->state != ConfirmationState::kRuledRejected && f->state != ConfirmationState::kRevoked) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "NOT_REJECTED",
                     absl::StrCat(f->name(), " is ", ApiConfirmationStateName(f->state),
                                  "; the parties mediate again after the court rejected the "
                                  "confirmation or revoked it (CPL Art. 206)"));
  }
  if (c.state != CaseState::kSettled) {
    return TransitionError(ApiStateName(c.state),
                           absl::StrCat("cases/", c.id, " is ", ApiStateName(c.state),
                                        "; mediating again starts from STATE_SETTLED"));
  }
  for (const std::string& p : parties) {
    if (std::find(f->mediate_again_consented.begin(), f->mediate_again_consented.end(), p) ==
        f->mediate_again_consented.end()) {
      f->mediate_again_consented.push_back(p);
    }
  }
  std::vector<std::string> missing;
  for (const std::string& p : AllPartyRefs(c)) {
    if (std::find(f->mediate_again_consented.begin(), f->mediate_again_consented.end(), p) ==
        f->mediate_again_consented.end()) {
      missing.push_back(p);
    }
  }
  return missing;
}

absl::Status CheckCanEndSettledCase(std::optional<ConfirmationState> latest) {
  if (latest == ConfirmationState::kRuledRejected || latest == ConfirmationState::kRevoked) {
    return absl::OkStatus();
  }
  return MakeError(
      absl::StatusCode::kFailedPrecondition, "SETTLED_AGREEMENT_IN_FORCE",
      "a settled case ends by its agreement being performed or confirmed; it is closed only after "
      "a court rejected the confirmation or revoked it and a party sues instead (CPL Art. 206; "
      "PML Art. 33)");
}

}  // namespace odr::domain
