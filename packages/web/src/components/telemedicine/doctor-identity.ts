import { t } from "../../lib/i18n";

/** "Dra. Helena Prado, CRM-SP 123456": how the patient is told who will see them (CFM 2.314/2022). */
export function doctorIdentity(doctor: { name: string; crm?: string | null; crmState?: string | null }): string {
  return doctor.crm && doctor.crmState
    ? t("tele.doctorId", { name: doctor.name, uf: doctor.crmState, crm: doctor.crm })
    : t("tele.doctorNoCrm", { name: doctor.name });
}
