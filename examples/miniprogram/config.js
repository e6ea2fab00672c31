// Where your backend's login endpoint lives. The demo and the tests point it at the
// development backend on 127.0.0.1.
module.exports = {
  loginUrl: 'https://api.example.com/auth/login',
}
