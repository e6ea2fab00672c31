// Your login endpoint (the tests point it at their development backend).
export const LOGIN_URL = 'https://api.example.com/auth/login'
