// AppointmentService on the gRPC callback API: mediators' availability, free slots, and the
// booking, rescheduling, cancelling and attendance of appointments. Every method goes through
// RpcRunner (pool, authentication, rate limit); authorization is domain/authorization.h, the
// slot rules domain/schedule.h, conflicts storage/schedule_store.h.
#ifndef ODR_SERVER_APPOINTMENT_SERVICE_H_
#define ODR_SERVER_APPOINTMENT_SERVICE_H_

#include "odr/v1/appointment.grpc.pb.h"
#include "server/domain/schedule.h"
#include "server/domain/working_calendar.h"
#include "server/join_token.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"
#include "storage/case_store.h"
#include "storage/schedule_store.h"

namespace odr::server {

class AppointmentServiceImpl final : public v1::AppointmentService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight; the calendar must not change.
  AppointmentServiceImpl(RpcRunner* runner, storage::CaseStore* cases,
                         storage::ScheduleStore* schedule, storage::AccessLog* access,
                         const domain::WorkingCalendar* calendar, const JoinTokenSigner* join,
                         Clock* clock)
      : runner_(runner),
        cases_(cases),
        schedule_(schedule),
        access_(access),
        calendar_(calendar),
        join_(join),
        clock_(clock) {}

  grpc::ServerUnaryReactor* GetMediatorAvailability(grpc::CallbackServerContext* ctx,
                                                    const v1::GetMediatorAvailabilityRequest* req,
                                                    v1::MediatorAvailability* resp) override;
  grpc::ServerUnaryReactor* UpdateMediatorAvailability(
      grpc::CallbackServerContext* ctx, const v1::UpdateMediatorAvailabilityRequest* req,
      v1::MediatorAvailability* resp) override;
  grpc::ServerUnaryReactor* FindSlots(grpc::CallbackServerContext* ctx,
                                      const v1::FindSlotsRequest* req,
                                      v1::FindSlotsResponse* resp) override;
  grpc::ServerUnaryReactor* BookAppointment(grpc::CallbackServerContext* ctx,
                                            const v1::BookAppointmentRequest* req,
                                            v1::Appointment* resp) override;
  grpc::ServerUnaryReactor* GetAppointment(grpc::CallbackServerContext* ctx,
                                           const v1::GetAppointmentRequest* req,
                                           v1::Appointment* resp) override;
  grpc::ServerUnaryReactor* ListAppointments(grpc::CallbackServerContext* ctx,
                                             const v1::ListAppointmentsRequest* req,
                                             v1::ListAppointmentsResponse* resp) override;
  grpc::ServerUnaryReactor* RescheduleAppointment(grpc::CallbackServerContext* ctx,
                                                  const v1::RescheduleAppointmentRequest* req,
                                                  v1::Appointment* resp) override;
  grpc::ServerUnaryReactor* CancelAppointment(grpc::CallbackServerContext* ctx,
                                              const v1::CancelAppointmentRequest* req,
                                              v1::Appointment* resp) override;
  grpc::ServerUnaryReactor* RecordAttendance(grpc::CallbackServerContext* ctx,
                                             const v1::RecordAttendanceRequest* req,
                                             v1::Appointment* resp) override;

 private:
  // The case, if the caller may read it (NOT_FOUND otherwise), with the read recorded.
  absl::StatusOr<domain::Case> ReadCase(const CallContext& call, absl::string_view id);
  // The appointment, if the caller may see it (NOT_FOUND otherwise).
  absl::StatusOr<std::pair<domain::Case, domain::Appointment>> ReadAppointment(
      const CallContext& call, absl::string_view name);
  // The checks of a booking or reschedule inside the store's transaction. `path` prefixes field
  // names ("appointment" for bookings, "" for reschedules).
  storage::ScheduleStore::BookingCheck Check(const CallContext& call, std::string path,
                                             bool booking);
  // Who may reschedule or cancel: the case's mediators and organization admins, and the booker.
  static absl::Status AuthorizeChange(const domain::Principal& p, const domain::Case& k,
                                      const domain::Appointment& a);
  // Records the change of `a` in the access log.
  absl::Status RecordChange(const CallContext& call, const domain::Appointment& a);
  void ToProto(const CallContext& call, const domain::Case& k, const domain::Appointment& a,
               v1::Appointment* out) const;

  RpcRunner* runner_;
  storage::CaseStore* cases_;
  storage::ScheduleStore* schedule_;
  storage::AccessLog* access_;
  const domain::WorkingCalendar* calendar_;
  const JoinTokenSigner* join_;
  Clock* clock_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_APPOINTMENT_SERVICE_H_
