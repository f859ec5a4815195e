export { createLessonsService, EMPTY_GUIDED_STATE, type LessonsServiceOptions } from './lessons-service.js';
export { listLessons, getLesson, USER_PREFIX } from './lesson-library.js';
export { LessonFormatError, PAGE_SEPARATOR } from './lesson-file.js';
