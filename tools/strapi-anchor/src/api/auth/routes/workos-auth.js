module.exports = {
  routes: [
    {
      method: 'GET',
      path: '/auth/workos/login',
      handler: 'workos-auth.login',
      config: {
        auth: false, // public: it starts the login
        policies: [],
        middlewares: [],
      },
    },
  ],
};
