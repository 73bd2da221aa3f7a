// Starts the app without the CLI: a JavaScript project needs no build, and
// the admin panel is neither built nor served.
const { createStrapi } = require('@strapi/strapi');

createStrapi({ appDir: __dirname, distDir: __dirname, serveAdminPanel: false }).start();
