/**
 * Weekly availability and time off of a doctor (an admin picks the doctor first). The two parts are
 * components of their own: components/availability/.
 */
import { useSearchParams } from "@solidjs/router";
import { type Component, createResource, Show } from "solid-js";
import { TimeOffSection } from "../components/availability/time-off-section";
import { WeeklyHoursForm } from "../components/availability/weekly-hours-form";
import { DoctorSelect } from "../components/doctor-select";
import { ErrorAlert, Loading, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
import { user } from "../lib/session";

const AvailabilityPage: Component = () => {
  const [params, setParams] = useSearchParams<{ doctor?: string }>();
  const isAdmin = () => user()?.role === "admin";
  const doctorId = () => (isAdmin() ? (params.doctor ?? "") : user()!.id);
  const [doctors] = createResource(
    () => (isAdmin() ? true : undefined),
    () => api.listDoctors(),
  );
  const [availability, { refetch }] = createResource(
    () => doctorId() || undefined,
    (id) => api.getAvailability(id),
  );

  return (
    <>
      <PageTitle>{t("availability.title")}</PageTitle>
      <Show when={isAdmin()}>
        <DoctorSelect
          id="availability-doctor"
          label={t("agenda.doctorFilter")}
          emptyLabel={t("book.chooseDoctor")}
          value={params.doctor}
          doctors={doctors()}
          onChange={(doctor) => setParams({ doctor })}
        />
      </Show>
      <Show when={doctorId()}>
        <Show when={!availability.loading} fallback={<Loading />}>
          <ErrorAlert error={availability.error}>
            <button type="button" onClick={refetch}>
              {t("common.retry")}
            </button>
          </ErrorAlert>
          <Show when={availability()}>{(a) => <WeeklyHoursForm doctorId={doctorId()} availability={a()} />}</Show>
        </Show>
        <TimeOffSection doctorId={doctorId()} />
      </Show>
    </>
  );
};

export default AvailabilityPage;
