// The official MCP Apps host side, for tests/apps/test_apps_official_host.py: esbuild bundles it (with the MCP SDK
// and zod it imports) into one script that defines the global ExtAppsHost.
export { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";
