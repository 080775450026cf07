/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The mock's API root; default http://127.0.0.1:8080/rest (`make run`). */
  readonly VITE_MOCK_URL?: string;
  /** Whose sessions: any token of GET /__mock/world; default attendee-token. */
  readonly VITE_MOCK_TOKEN?: string;
  readonly VITE_EVENT_URL?: string;
}
