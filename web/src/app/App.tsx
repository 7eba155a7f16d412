// Routes of the web UI; everything but sign-in sits behind the session guard and inside the shell.
import { Navigate, Outlet, Route, Routes, useLocation } from "react-router";
import { SignInPage } from "../features/auth/SignInPage.tsx";
import { BlockedAddressesPage } from "../features/bounces/BlockedAddressesPage.tsx";
import { CompaniesPage } from "../features/companies/CompaniesPage.tsx";
import { CompanyEditPage } from "../features/companies/CompanyEditPage.tsx";
import { CompanyPage } from "../features/companies/CompanyPage.tsx";
import { RegisteredLinksPage } from "../features/follow-up/RegisteredLinksPage.tsx";
import { FormPage } from "../features/forms/FormPage.tsx";
import { FormsPage } from "../features/forms/FormsPage.tsx";
import { StatisticsPage as FormStatisticsPage } from "../features/forms/StatisticsPage.tsx";
import { SubmissionPage } from "../features/forms/SubmissionPage.tsx";
import { SubmissionsPage } from "../features/forms/SubmissionsPage.tsx";
import { ImportPage } from "../features/imports/ImportPage.tsx";
import { LibraryPage } from "../features/library/LibraryPage.tsx";
import { MailingPage } from "../features/mailings/MailingPage.tsx";
import { MailingsPage } from "../features/mailings/MailingsPage.tsx";
import { OutboxMessagePage } from "../features/outbox/OutboxMessagePage.tsx";
import { OutboxPage } from "../features/outbox/OutboxPage.tsx";
import { PersonEditPage } from "../features/persons/PersonEditPage.tsx";
import { PersonPage } from "../features/persons/PersonPage.tsx";
import { PersonsPage } from "../features/persons/PersonsPage.tsx";
import { ProjectPage } from "../features/projects/ProjectPage.tsx";
import { ProjectsPage } from "../features/projects/ProjectsPage.tsx";
import { SelectionPage } from "../features/selections/SelectionPage.tsx";
import { SelectionsPage } from "../features/selections/SelectionsPage.tsx";
import { SettingsPage } from "../features/settings/SettingsPage.tsx";
import { useDocumentTitle } from "./document-title.ts";
import { Loading, NotFound } from "./feedback.tsx";
import { Shell } from "./Shell.tsx";
import { useSession } from "./session.tsx";

function RequireSession() {
  const { loading, user } = useSession();
  const location = useLocation();
  if (loading) return <Loading fullPage />;
  if (!user) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}

function RequireSettingsRight() {
  const { can } = useSession();
  return can("manageSettings") ? <Outlet /> : <NotFound />;
}

export function App() {
  useDocumentTitle();
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route element={<RequireSession />}>
        <Route element={<Shell />}>
          <Route index element={<Navigate to="/persons" replace />} />
          <Route path="persons" element={<PersonsPage />} />
          <Route path="persons/new" element={<PersonEditPage />} />
          <Route path="persons/import" element={<ImportPage />} />
          <Route path="persons/:id" element={<PersonPage />} />
          <Route path="persons/:id/edit" element={<PersonEditPage />} />
          <Route path="companies" element={<CompaniesPage />} />
          <Route path="companies/new" element={<CompanyEditPage />} />
          <Route path="companies/:id" element={<CompanyPage />} />
          <Route path="companies/:id/edit" element={<CompanyEditPage />} />
          <Route path="selections" element={<SelectionsPage />} />
          <Route path="selections/:id" element={<SelectionPage />} />
          <Route path="projects" element={<ProjectsPage />} />
          <Route path="projects/:id" element={<ProjectPage />} />
          <Route path="mailings" element={<MailingsPage />} />
          <Route path="mailings/:id" element={<MailingPage />} />
          <Route path="forms" element={<FormsPage />} />
          <Route path="forms/:id" element={<FormPage />} />
          <Route path="forms/:id/submissions" element={<SubmissionsPage />} />
          <Route path="forms/:id/submissions/:sid" element={<SubmissionPage />} />
          <Route path="forms/:id/statistics" element={<FormStatisticsPage />} />
          <Route path="registered-links" element={<RegisteredLinksPage />} />
          <Route path="library" element={<LibraryPage />} />
          <Route path="blocked-addresses" element={<BlockedAddressesPage />} />
          <Route path="outbox" element={<OutboxPage />} />
          <Route path="outbox/:id" element={<OutboxMessagePage />} />
          <Route element={<RequireSettingsRight />}>
            <Route path="settings" element={<SettingsPage />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Route>
      </Route>
    </Routes>
  );
}
