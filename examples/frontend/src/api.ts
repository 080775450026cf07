// The typed client: openapi-fetch over the types openapi-typescript generates from openapi.yaml
// (`npm run generate` writes generated/openapi.d.ts).
import createClient from "openapi-fetch";
import type { components, paths } from "../../../generated/openapi";

export type Session = components["schemas"]["Session"];
export type ApiError = components["schemas"]["ErrorResponse"];

export const MOCK_URL = import.meta.env.VITE_MOCK_URL ?? "http://127.0.0.1:8080/rest";
export const TOKEN = import.meta.env.VITE_MOCK_TOKEN ?? "attendee-token";
export const EVENT_URL = import.meta.env.VITE_EVENT_URL ?? "mock-event";

// The mock is on another origin (port) than this page. `credentials: "include"` sends the
// cookies of the mock's host along, so the control panel's `mock_scenario` cookie steers these
// calls; the mock's CORS answers with this page's origin and Allow-Credentials for localhost.
export const api = createClient<paths>({
  baseUrl: MOCK_URL,
  headers: { Authorization: `Bearer ${TOKEN}` },
  credentials: "include",
});

export async function liveAndUpcoming(): Promise<Session[]> {
  const { data, error } = await api.GET("/events/{eventurl}/session", {
    params: { path: { eventurl: EVENT_URL }, query: { past: false, size: 50 } },
  });
  if (error) throw error;
  return data.data;
}

export async function mySessions(): Promise<Session[]> {
  const { data, error } = await api.GET("/events/{eventurl}/user-session/registered", {
    params: { path: { eventurl: EVENT_URL }, query: { size: 50 } },
  });
  if (error) throw error;
  return data.data;
}

/** Registers the caller; the documented error body when the API refuses. `ahead` books a
 * session that is not live yet (`joinSession=true`): without it the API answers 407, which
 * browsers turn into a network error (a 407 is a proxy's status to them), body unread. */
export async function register(sessionId: number, ahead: boolean): Promise<ApiError | undefined> {
  const { error } = await api.POST("/events/{eventurl}/session/{sessionId}/register", {
    params: { path: { eventurl: EVENT_URL, sessionId }, query: { joinSession: ahead } },
  });
  return error;
}

export async function unregister(sessionId: number): Promise<ApiError | undefined> {
  const { error } = await api.DELETE("/events/{eventurl}/session/{sessionId}/register", {
    params: { path: { eventurl: EVENT_URL, sessionId } },
  });
  return error;
}
